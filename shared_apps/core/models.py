from django.db import models


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
