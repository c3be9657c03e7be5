"""Races against the real database, from separate threads (each with its own connection
and its own committed transactions)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_exists

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import Membership
from shared_apps.accounts.services import membership_grant, membership_set_role
from shared_apps.accounts.tests.factories import UserFactory
from shared_apps.core.errors import ApplicationError
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_delete, tenant_provision
from tests.support.concurrency import in_thread, run_together


@pytest.mark.django_db(transaction=False)
def test_two_operators_provisioning_the_same_slug_one_wins_cleanly(marketplaces):
    def provision(n: int):
        return lambda: tenant_provision(
            name=f"Race {n}", slug="race", admin_email=f"owner{n}@race.test"
        )

    try:
        results = run_together([provision(1), provision(2), provision(3)])

        winners = [r for r in results if not isinstance(r, Exception)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1
        assert all(isinstance(e, ApplicationError) and e.status_code == 409 for e in losers)
        assert Tenant.objects.filter(schema_name="race").count() == 1
        assert schema_exists("race")
        # only the winner's admin has a membership of it
        assert Membership.objects.filter(tenant__schema_name="race").count() == 1
    finally:
        in_thread(
            lambda: [
                tenant_delete(tenant=t, confirm_slug="race")
                for t in Tenant.objects.filter(schema_name="race")
            ]
        )
    assert not schema_exists("race")


@pytest.mark.django_db(transaction=False)
def test_two_admins_demoting_each_other_at_once_leave_one_admin(marketplaces):
    tenant = marketplaces["bravo"].tenant

    def setup():
        second = membership_grant(user=UserFactory(), tenant=tenant, role=Role.ADMIN)
        first = Membership.objects.get(tenant=tenant, user=marketplaces["bravo"].admin)
        return first, second

    first, second = in_thread(setup)
    try:
        results = run_together(
            [
                lambda: membership_set_role(membership=first, role=Role.GUEST),
                lambda: membership_set_role(membership=second, role=Role.GUEST),
            ]
        )

        conflicts = [r for r in results if isinstance(r, ApplicationError)]
        assert len(conflicts) == 1
        assert conflicts[0].code == "last_admin"
        assert Membership.objects.filter(tenant=tenant, role=Role.ADMIN).count() == 1
    finally:

        def restore():
            Membership.objects.filter(pk=first.pk).update(role=Role.ADMIN)
            second.user.delete()

        in_thread(restore)
