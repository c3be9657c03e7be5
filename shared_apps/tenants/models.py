import uuid

from django.core.validators import RegexValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

from shared_apps.tenants.constants import COLOR_RE, DEFAULT_ACCENT_COLOR, DEFAULT_PRIMARY_COLOR

# Model-level checks too, so forms (the platform admin) refuse what the API refuses.
color_validator = RegexValidator(COLOR_RE, "Use a colour like #1f6feb.")
currency_validator = RegexValidator(r"^[A-Z]{3}$", "Use an ISO 4217 code like USD.")


class Tenant(TenantMixin):
    """A marketplace. Its slug is its PostgreSQL schema name."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    suspended_reason = models.CharField(max_length=500, blank=True, default="")
    suspended_at = models.DateTimeField(null=True, blank=True)

    # Branding, shown by the white-label templates and the branding endpoint.
    display_name = models.CharField(max_length=100, blank=True, default="")
    logo_url = models.URLField(max_length=500, blank=True, default="")
    # The home page's banner picture (uploaded on the admin's branding page).
    hero_url = models.URLField(max_length=500, blank=True, default="")
    primary_color = models.CharField(
        max_length=7, default=DEFAULT_PRIMARY_COLOR, validators=[color_validator]
    )
    accent_color = models.CharField(
        max_length=7, default=DEFAULT_ACCENT_COLOR, validators=[color_validator]
    )
    support_email = models.EmailField(blank=True, default="")

    currency = models.CharField(max_length=3, default="USD", validators=[currency_validator])
    timezone = models.CharField(max_length=64, default="UTC")

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # Fingerprint of the migrations applied to the schema, written by provisioning and by
    # `migrate_all_schemas`: equal to the code's, the schema is current and is skipped.
    schema_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)

    # The provisioning service creates the schema itself, inside its own transaction, so
    # a failure leaves no half-made tenant; deletion drops it explicitly.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return self.schema_name

    @property
    def slug(self) -> str:
        return self.schema_name

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    @property
    def brand_name(self) -> str:
        return self.display_name or self.name


class Domain(DomainMixin):
    """A host name that serves a marketplace: its automatic subdomain or a custom domain."""

    class Kind(models.TextChoices):
        SUBDOMAIN = "subdomain", "Platform subdomain"
        CUSTOM = "custom", "Custom domain"
        PLATFORM = "platform", "Platform host"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CUSTOM)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "domain"]


class SpareSchema(models.Model):
    """A fully migrated schema waiting to become a marketplace (a spare, claimed by renaming
    it) or the template spares are cloned from. Names start with an underscore, which slugs
    can't, so they never collide with a marketplace. Rows and schemas come and go together
    (shared_apps.tenants.pool)."""

    class Kind(models.TextChoices):
        SPARE = "spare", "Spare"
        TEMPLATE = "template", "Template"

    name = models.CharField(max_length=63, primary_key=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    fingerprint = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]
        indexes = [models.Index(fields=["kind", "fingerprint"])]

    def __str__(self) -> str:
        return self.name
