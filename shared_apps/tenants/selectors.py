from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import Membership
from shared_apps.queues.selectors import queue_depths
from shared_apps.tenants.models import Domain, Tenant
from shared_apps.tenants.usage import Usage, usage_reader


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


METRICS_WINDOW = timedelta(days=30)


def tenant_metrics(*, tenants: list[Tenant], now: datetime | None = None) -> dict[str, dict]:
    """Usage of each marketplace, by slug: members (and hosts), listings (and published
    ones), bookings (and those made in the last 30 days), revenue of the last 30 days (the
    totals of bookings confirmed in that window that are confirmed or completed), queue depth.
    One query across the schemas of `tenants`, one over memberships, one Redis round trip."""
    now = now or timezone.now()
    since = now - METRICS_WINDOW
    slugs = [t.schema_name for t in tenants]
    members = {slug: {"members": 0, "hosts": 0} for slug in slugs}
    counts = (
        Membership.objects.filter(tenant__schema_name__in=slugs)
        .values("tenant__schema_name")
        .annotate(
            members=Count("id"), hosts=Count("id", filter=Q(role__in=[Role.HOST, Role.ADMIN]))
        )
    )
    for row in counts:
        members[row["tenant__schema_name"]] = {"members": row["members"], "hosts": row["hosts"]}
    usage = usage_reader().usage(schemas=slugs, since=since)
    depths = queue_depths(slugs)
    metrics = {}
    for tenant in tenants:
        slug = tenant.schema_name
        used = usage.get(slug, Usage())
        metrics[slug] = {
            "slug": slug,
            **members[slug],
            "listings": used.listings,
            "published_listings": used.published_listings,
            "bookings": used.bookings,
            "bookings_30d": used.bookings_30d,
            "revenue_30d": used.revenue_30d,
            "currency": tenant.currency,
            "queue_depth": depths.get(slug),
            "since": since,
        }
    return metrics
