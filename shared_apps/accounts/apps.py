from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shared_apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from shared_apps.accounts import openapi  # noqa: F401  (registers the OpenAPI extension)
