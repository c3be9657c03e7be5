from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shared_apps.core.serializers import InputSerializer
from shared_apps.queues.selectors import queue_depths
from shared_apps.tenants.constants import BRANDING_FIELDS
from shared_apps.tenants.models import Domain, Tenant
from shared_apps.tenants.selectors import marketplace_url, primary_domain


class BrandingFields(InputSerializer):
    """Branding every marketplace has; validated in depth by the tenants service."""

    display_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    logo_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    hero_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    primary_color = serializers.CharField(max_length=7, required=False, help_text="#RRGGBB")
    accent_color = serializers.CharField(max_length=7, required=False, help_text="#RRGGBB")
    support_email = serializers.EmailField(required=False, allow_blank=True)


class TenantProvisionInput(BrandingFields):
    name = serializers.CharField(max_length=100)
    slug = serializers.CharField(
        max_length=63,
        help_text="Schema name and subdomain: lowercase letters, digits, hyphens.",
    )
    admin_email = serializers.EmailField(
        help_text="The first admin: an existing identity, or a new one emailed a set-password link."
    )
    domains = serializers.ListField(
        child=serializers.CharField(max_length=253),
        required=False,
        default=list,
        help_text="Custom domains, in addition to the automatic <slug>.<platform domain>.",
    )
    currency = serializers.CharField(max_length=3, required=False, help_text="ISO 4217")
    timezone = serializers.CharField(max_length=64, required=False, help_text="IANA time zone")


class TenantUpdateInput(BrandingFields):
    name = serializers.CharField(max_length=100, required=False)
    currency = serializers.CharField(max_length=3, required=False)
    timezone = serializers.CharField(max_length=64, required=False)
    add_domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False, default=list
    )
    remove_domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False, default=list
    )
    primary_domain = serializers.CharField(max_length=253, required=False)


class TenantSuspendInput(InputSerializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class TenantDeleteInput(InputSerializer):
    confirm_slug = serializers.CharField(help_text="The marketplace's slug, repeated.")
    archive = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Write the marketplace's archive before deleting it (default). "
        "`manage.py tenant_restore` brings it back.",
    )


class TenantDeletedOutput(serializers.Serializer):
    slug = serializers.CharField()
    archive = serializers.CharField(
        allow_null=True, help_text="Path of the archive on the server, or null."
    )


class DomainOutput(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["domain", "kind", "is_primary"]


class BrandingOutput(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = ["name", *BRANDING_FIELDS, "currency", "timezone"]


class TenantOutput(serializers.ModelSerializer):
    slug = serializers.CharField(source="schema_name")
    branding = serializers.SerializerMethodField()
    domains = DomainOutput(many=True)
    primary_domain = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    member_count = serializers.IntegerField(required=False)
    queue_depth = serializers.SerializerMethodField(
        help_text="Background tasks waiting in the marketplace's own queue."
    )

    class Meta:
        model = Tenant
        fields = [
            "id",
            "slug",
            "name",
            "status",
            "suspended_reason",
            "suspended_at",
            "currency",
            "timezone",
            "branding",
            "domains",
            "primary_domain",
            "url",
            "member_count",
            "queue_depth",
            "created",
            "updated",
        ]

    @extend_schema_field(BrandingOutput)
    def get_branding(self, tenant: Tenant) -> dict:
        return BrandingOutput(tenant).data

    def get_primary_domain(self, tenant: Tenant) -> str:
        return primary_domain(tenant=tenant)

    def get_url(self, tenant: Tenant) -> str:
        return marketplace_url(tenant=tenant)

    def get_queue_depth(self, tenant: Tenant) -> int | None:
        # A list view passes every depth in one Redis round trip; detail asks for its own.
        depths = self.context.get("queue_depths")
        if depths is None:
            depths = queue_depths([tenant.schema_name])
        return depths.get(tenant.schema_name)


class ProvisionedAdminOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    invited = serializers.BooleanField(help_text="True when a set-password email was sent.")


class TenantProvisionOutput(serializers.Serializer):
    tenant = TenantOutput()
    admin = ProvisionedAdminOutput()


class BrandingUpdateInput(BrandingFields):
    """What a marketplace's own admin may change; name, currency and domains are the
    operator's."""


class TenantListQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=Tenant.Status.choices, required=False)
    search = serializers.CharField(
        max_length=100, required=False, help_text="Part of the name or slug."
    )


class TenantMetricsOutput(serializers.Serializer):
    slug = serializers.CharField()
    members = serializers.IntegerField()
    hosts = serializers.IntegerField(help_text="Members who host (hosts and admins).")
    listings = serializers.IntegerField(allow_null=True)
    published_listings = serializers.IntegerField(allow_null=True)
    bookings = serializers.IntegerField(allow_null=True)
    bookings_30d = serializers.IntegerField(
        allow_null=True, help_text="Bookings made in the last 30 days."
    )
    revenue_30d = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="Totals of the bookings confirmed in the last 30 days (confirmed or "
        "completed), in the marketplace's currency.",
    )
    currency = serializers.CharField()
    queue_depth = serializers.IntegerField(allow_null=True)
    since = serializers.DateTimeField(help_text="Start of the 30-day window.")
