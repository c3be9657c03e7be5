from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django_tenants.utils import get_public_schema_name

from shared_apps.tenants.models import Domain, Tenant


def marketplace_tenants() -> QuerySet[Tenant]:
    """Every marketplace; the public (platform) tenant is not one."""
    return Tenant.objects.exclude(schema_name=get_public_schema_name())


def tenant_list(*, status: str | None = None, search: str = "") -> QuerySet[Tenant]:
    tenants = (
        marketplace_tenants()
        .prefetch_related("domains")
        .annotate(member_count=Count("memberships", distinct=True))
    )
    if status:
        tenants = tenants.filter(status=status)
    if search:
        tenants = tenants.filter(Q(name__icontains=search) | Q(schema_name__icontains=search))
    return tenants


def tenant_get(*, slug: str) -> Tenant | None:
    return tenant_list().filter(schema_name=slug).first()


def primary_domain(*, tenant: Tenant) -> str:
    domains = list(tenant.domains.all())  # uses the prefetch when there is one
    primary = next((d for d in domains if d.is_primary), None)
    return primary.domain if primary else f"{tenant.schema_name}.{settings.PLATFORM_DOMAIN}"


def marketplace_url(*, tenant: Tenant) -> str:
    """The base URL people reach the marketplace at, e.g. for links in emails."""
    return settings.MARKETPLACE_URL_TEMPLATE.format(domain=primary_domain(tenant=tenant))


def domain_taken(*, domain: str) -> bool:
    return Domain.objects.filter(domain=domain).exists()
