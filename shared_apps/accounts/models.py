import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from shared_apps.accounts.constants import Role


def normalize_email(email: str) -> str:
    """Emails are one identity whatever their case: stored and compared lowercased."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, email: str):
        return self.get(email__iexact=normalize_email(email))


class User(AbstractBaseUser, PermissionsMixin):
    """One identity across every marketplace. Lives in the public schema."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True, default="")
    last_name = models.CharField(max_length=150, blank=True, default="")
    phone = models.CharField(max_length=32, blank=True, default="")
    avatar_url = models.URLField(max_length=500, blank=True, default="")
    is_active = models.BooleanField(default=True)
    # Staff are platform operators: they use the operator API and admin on the platform host.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Carried in every token (shared_apps.accounts.tokens); raising it revokes every access
    # and refresh token issued before: on a password change or reset, and on deactivation.
    token_version = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def set_password(self, raw_password: str | None) -> None:
        """Every path that changes a password (reset link, admin form) passes here, so each
        revokes the identity's earlier tokens. Save `token_version` with `password`."""
        super().set_password(raw_password)
        self.token_version += 1

    def check_password(self, raw_password: str) -> bool:
        """Django's, except that upgrading the stored hash (a newer hasher or more
        iterations) is not a password change: it must not revoke the tokens being issued."""

        def upgrade(raw_password: str) -> None:
            AbstractBaseUser.set_password(self, raw_password)
            self._password = None
            self.save(update_fields=["password"])

        return check_password(raw_password, self.password, upgrade)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


class Membership(models.Model):
    """A user's role in one marketplace. Public schema, so an operator sees them all."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.GUEST)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created"]
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="accounts_membership_unique"),
        ]
        indexes = [models.Index(fields=["tenant", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} as {self.role}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_host(self) -> bool:
        return self.role in (Role.HOST, Role.ADMIN)


class RefreshTokenUse(models.Model):
    """A refresh token that was spent (refresh tokens rotate: each works once). Presenting
    one again is reuse, and revokes every token of the identity (services.auth_refresh).
    Public schema: refresh tokens of every marketplace share it. A row is useless once its
    token expires, and goes at the identity's next refresh."""

    jti = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires = models.DateTimeField()
    used = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.jti
