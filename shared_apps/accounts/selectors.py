from __future__ import annotations

from django.db.models import Q, QuerySet

from shared_apps.accounts.models import Membership, User, normalize_email
from shared_apps.tenants.models import Tenant


def user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email=normalize_email(email)).first()


def membership_for(*, user: User, tenant: Tenant) -> Membership | None:
    return Membership.objects.filter(user=user, tenant=tenant).first()


def member_list(*, tenant: Tenant, role: str | None = None, search: str = "") -> QuerySet:
    """The members of one marketplace; a marketplace admin never sees anyone else."""
    members = Membership.objects.filter(tenant=tenant).select_related("user")
    if role:
        members = members.filter(role=role)
    if search:
        members = members.filter(
            Q(user__email__icontains=search)
            | Q(user__first_name__icontains=search)
            | Q(user__last_name__icontains=search)
        )
    return members


def member_get(*, tenant: Tenant, user_id) -> Membership | None:
    return member_list(tenant=tenant).filter(user_id=user_id).first()
