from __future__ import annotations

import factory

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import Membership, User
from shared_apps.accounts.services import membership_grant, user_create
from shared_apps.tenants.models import Tenant

PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.Factory):
    """Users made through the same service sign-up uses, with the shared test password."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, **fields) -> User:
        return user_create(**fields)


def member_factory(tenant: Tenant, role: str = Role.GUEST, **user_fields) -> Membership:
    return membership_grant(user=UserFactory(**user_fields), tenant=tenant, role=role)
