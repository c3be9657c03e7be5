import uuid

from django.db import models


class SingletonModel(models.Model):
    """A table of exactly one row: a marketplace's settings (booking, review, payment policy).

    The database holds the rule: `singleton` can only be true (a CHECK) and is unique, so a
    second row can't be written, whatever races the application loses. The row is created by
    the app's data migration (and so exists in every schema, the template and spare schemas
    included, which provisioning copies), so reading it never writes: `load()` is a plain
    read, fit for a selector."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(singleton=True), name="%(app_label)s_%(class)s_singleton"
            )
        ]

    @staticmethod
    def one_row(app_label: str, model_name: str):
        """For a data migration's RunPython: make the row when missing; where duplicates were
        made (readers used the oldest, `.first()`), keep the oldest. Runs before the
        `singleton` column is unique."""

        def forwards(apps, schema_editor):
            model = apps.get_model(app_label, model_name)
            rows = list(model.objects.order_by("pk").values_list("pk", flat=True))
            if rows:
                model.objects.filter(pk__in=rows[1:]).delete()
            else:
                model.objects.create()

        return forwards

    @classmethod
    def load(cls, *, for_update: bool = False):
        """The row; with `for_update`, locked until the transaction ends (for a service that
        changes it)."""
        rows = cls.objects.select_for_update() if for_update else cls.objects
        return rows.get(singleton=True)


class TaskReceipt(models.Model):
    """Proof that a task's effect happened, written in the same transaction as the effect.

    A task redelivered after a worker died (acks_late) finds its receipt and does nothing,
    so effects happen once even though tasks may run more than once. Public schema, with the
    schema name in the key, so the receipt commits with effects in any marketplace's schema
    (the search path includes public)."""

    schema_name = models.CharField(max_length=63)
    key = models.CharField(max_length=200)
    task_name = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schema_name", "key"], name="core_taskreceipt_once")
        ]

    def __str__(self) -> str:
        return f"{self.schema_name}:{self.key}"


class OutboxMessage(models.Model):
    """A task that must follow a committed change, written in the change's own transaction.

    The relay publishes it once the transaction commits and marks it sent; the periodic sweep
    (`core.relay_outbox`) republishes whatever a broker outage left unsent. The message id is
    the Celery task id, so a republished message is the same task to `run_once`. Public
    schema with the schema name (as TaskReceipt): a marketplace's transaction can write it
    (the search path includes public) and one sweep reads every marketplace's backlog."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schema_name = models.CharField(max_length=63)
    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created"],
                condition=models.Q(sent_at__isnull=True),
                name="core_outbox_unsent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.schema_name}:{self.task_name}:{self.pk}"


class CredentialFailure(models.Model):
    """Failed sign-ins counted per identity (a hash of the email) and per client address,
    across every marketplace, the platform host and both admins: public schema, one row per
    key, so a guesser can't spread attempts over hosts (shared_apps.core.credentials)."""

    key = models.CharField(max_length=80, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"
