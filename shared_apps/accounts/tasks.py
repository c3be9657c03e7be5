"""Emails about identities, sent by workers after the change that asked for them commits."""

from __future__ import annotations

from django_tenants.utils import get_public_schema_name

from shared_apps.accounts.models import User
from shared_apps.core.tasks import marketplace_task, platform_task, run_once
from shared_apps.core.tenancy import current_tenant
from shared_apps.tenants.models import Tenant


def _send_once(task, *, user_id: str, tenant: Tenant, reset: bool) -> bool:
    from shared_apps.accounts.services import send_set_password_email

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    # Keyed by the task id: a redelivered task (its worker died) sends no second email,
    # unless it died between sending and committing the receipt (at least once, never lost).
    with run_once(f"password-email:{task.request.id}", task_name=task.name) as first:
        if first:
            send_set_password_email(user=user, tenant=tenant, reset=reset)
    return first


@marketplace_task(name="accounts.password_email", bind=True)
def password_email(self, user_id: str, reset: bool) -> bool:
    """A set-password (new admin) or reset link, branded as the current marketplace."""
    return _send_once(self, user_id=user_id, tenant=current_tenant(), reset=reset)


@platform_task(name="accounts.platform_password_email", bind=True)
def platform_password_email(self, user_id: str, reset: bool) -> bool:
    """The same for operators, on the platform host."""
    public = Tenant.objects.get(schema_name=get_public_schema_name())
    return _send_once(self, user_id=user_id, tenant=public, reset=reset)


def _reset_once(task, *, email: str, tenant: Tenant) -> bool:
    from shared_apps.accounts.services import password_reset_recipient

    user = password_reset_recipient(email=email)
    if user is None:
        return False
    return _send_once(task, user_id=str(user.pk), tenant=tenant, reset=True)


@marketplace_task(name="accounts.password_reset_email", bind=True)
def password_reset_email(self, email: str) -> bool:
    """A reset link asked for on a marketplace host: the lookup happens here, not in the
    request, so the request can't tell who has an account (issue 15, item 11)."""
    return _reset_once(self, email=email, tenant=current_tenant())


@platform_task(name="accounts.platform_password_reset_email", bind=True)
def platform_password_reset_email(self, email: str) -> bool:
    """The same on the platform host, for operators."""
    public = Tenant.objects.get(schema_name=get_public_schema_name())
    return _reset_once(self, email=email, tenant=public)
