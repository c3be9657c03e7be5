from django.core.management.base import BaseCommand, CommandError

from shared_apps.accounts.selectors import user_by_email
from shared_apps.accounts.services import user_create
from shared_apps.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Creates a platform operator (staff) account, or reports that it exists."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", required=True)

    def handle(self, *args, email, password, **options):
        if user_by_email(email=email):
            self.stdout.write(f"Operator {email} already exists.")
            return
        try:
            user_create(email=email, password=password, is_staff=True)
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} {exc.fields}") from exc
        self.stdout.write(self.style.SUCCESS(f"Created operator {email}."))
