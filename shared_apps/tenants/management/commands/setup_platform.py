from django.core.management.base import BaseCommand

from shared_apps.tenants.services import platform_ensure_public_tenant


class Command(BaseCommand):
    help = "Creates the public tenant and the platform host's domain (idempotent)."

    def handle(self, *args, **options):
        public = platform_ensure_public_tenant()
        domains = ", ".join(d.domain for d in public.domains.all())
        self.stdout.write(self.style.SUCCESS(f"Platform host ready: {domains}"))
