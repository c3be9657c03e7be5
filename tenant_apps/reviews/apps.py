from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "tenant_apps.reviews"
    label = "reviews"
    verbose_name = "Reviews"
