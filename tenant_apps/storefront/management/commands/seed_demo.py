from django.conf import settings
from django.core.management.base import BaseCommand

from tenant_apps.storefront.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Creates the demo operator and two demo marketplaces (idempotent)."

    def handle(self, *args, **options):
        logins = seed_demo()
        platform = settings.MARKETPLACE_URL_TEMPLATE.format(domain=settings.PLATFORM_DOMAIN)
        self.stdout.write(self.style.SUCCESS("\nDemo platform ready."))
        self.stdout.write(f"  Operator API docs: {platform}/api/docs/   admin: {platform}/admin/")
        for url in sorted({login.where for login in logins if login.where.startswith("http")}):
            self.stdout.write(f"  Marketplace: {url}/   API docs: {url}/api/docs/")
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.email:<28} {login.role:<6} {login.where}")
        self.stdout.write("  (guest@demo.test is one identity, a member of every demo marketplace)")
