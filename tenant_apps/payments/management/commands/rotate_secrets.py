"""Re-encrypts every marketplace's stored secrets with the newest FIELD_ENCRYPTION_KEYS key.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it),
deploy, run this, then drop the old keys."""

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, tenant_context

from shared_apps.core.crypto import SecretUnreadable
from shared_apps.tenants.models import Tenant
from tenant_apps.payments.services import secrets_rotate


class Command(BaseCommand):
    help = "Re-encrypt every marketplace's payment secrets with the newest encryption key."

    def handle(self, *args, **options):
        failed = []
        total = 0
        tenants = Tenant.objects.exclude(schema_name=get_public_schema_name()).order_by(
            "schema_name"
        )
        for tenant in tenants:
            with tenant_context(tenant):
                try:
                    total += secrets_rotate()
                except SecretUnreadable as exc:
                    failed.append(f"{tenant.schema_name}: {exc}")
        self.stdout.write(f"Re-encrypted {total} secret(s) in {tenants.count()} marketplace(s).")
        if failed:
            raise CommandError("Some secrets could not be read:\n" + "\n".join(failed))
