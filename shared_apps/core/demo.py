"""Demo data for `make run`: an operator and two branded marketplaces with members.

Everything goes through the same services the API uses; re-running skips what exists."""

from __future__ import annotations

from dataclasses import dataclass

from shared_apps.accounts.constants import Role
from shared_apps.accounts.selectors import user_by_email
from shared_apps.accounts.services import membership_grant, user_create
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.selectors import marketplace_url
from shared_apps.tenants.services import platform_ensure_public_tenant, tenant_provision

DEMO_PASSWORD = "demo-stays-2026!"  # noqa: S105  (printed by make run on purpose)
OPERATOR_EMAIL = "operator@demo.test"
SHARED_GUEST_EMAIL = "guest@demo.test"

MARKETPLACES = [
    {
        "slug": "alpine",
        "name": "Alpine Lodges",
        "display_name": "Alpine Lodges",
        "primary_color": "#14532d",
        "accent_color": "#f59e0b",
        "support_email": "help@alpine.demo.test",
        "currency": "CHF",
        "timezone": "Europe/Zurich",
    },
    {
        "slug": "coastal",
        "name": "Coastal Cabins",
        "display_name": "Coastal Cabins",
        "primary_color": "#1e3a8a",
        "accent_color": "#06b6d4",
        "support_email": "help@coastal.demo.test",
        "currency": "USD",
        "timezone": "America/Los_Angeles",
    },
]


@dataclass
class DemoLogin:
    where: str
    email: str
    role: str


def _user(email: str, *, first_name: str = "", is_staff: bool = False):
    user = user_by_email(email=email)
    if user is None:
        user = user_create(
            email=email, password=DEMO_PASSWORD, first_name=first_name, is_staff=is_staff
        )
    return user


def seed_demo() -> list[DemoLogin]:
    platform_ensure_public_tenant()
    logins = [DemoLogin("platform (operator API and /admin/)", OPERATOR_EMAIL, "staff")]
    _user(OPERATOR_EMAIL, first_name="Olivia", is_staff=True)
    guest = _user(SHARED_GUEST_EMAIL, first_name="Gabriel")
    for spec in MARKETPLACES:
        spec = dict(spec)
        slug, name = spec.pop("slug"), spec.pop("name")
        admin_email = f"admin@{slug}.demo.test"
        admin = _user(admin_email, first_name="Ada")
        tenant = Tenant.objects.filter(schema_name=slug).first()
        if tenant is None:
            tenant = tenant_provision(name=name, slug=slug, admin_email=admin_email, **spec).tenant
        host = _user(f"host@{slug}.demo.test", first_name="Hugo")
        membership_grant(user=admin, tenant=tenant, role=Role.ADMIN)
        membership_grant(user=host, tenant=tenant, role=Role.HOST)
        membership_grant(user=guest, tenant=tenant, role=Role.GUEST)
        url = marketplace_url(tenant=tenant)
        logins += [
            DemoLogin(url, admin.email, "admin"),
            DemoLogin(url, host.email, "host"),
            DemoLogin(url, guest.email, "guest"),
        ]
    return logins
