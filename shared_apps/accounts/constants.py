from django.db import models


class Role(models.TextChoices):
    GUEST = "guest", "Guest"
    HOST = "host", "Host"
    ADMIN = "admin", "Admin"
