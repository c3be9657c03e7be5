import time

from django.core.management.base import BaseCommand, CommandError

from shared_apps.core.errors import ApplicationError
from shared_apps.tenants.selectors import marketplace_url
from shared_apps.tenants.services import tenant_provision


class Command(BaseCommand):
    help = "Provisions a marketplace: schema, subdomain, custom domains and first admin."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="lowercase letters, digits, hyphens")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--domain", action="append", default=[], dest="domains")
        parser.add_argument("--display-name")
        parser.add_argument("--primary-color")
        parser.add_argument("--accent-color")
        parser.add_argument("--support-email")
        parser.add_argument("--currency")
        parser.add_argument("--timezone")

    def handle(self, *args, slug, name, admin_email, domains, **options):
        extra = {
            key: options[key]
            for key in (
                "display_name",
                "primary_color",
                "accent_color",
                "support_email",
                "currency",
                "timezone",
            )
            if options.get(key)
        }
        started = time.perf_counter()
        try:
            result = tenant_provision(
                name=name, slug=slug, admin_email=admin_email, domains=domains, **extra
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        elapsed = time.perf_counter() - started
        invited = " (set-password email queued)" if result.admin_invited else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Provisioned {slug} in {elapsed:.2f}s at {marketplace_url(tenant=result.tenant)}; "
                f"admin {result.admin.email}{invited}"
            )
        )
