from django.contrib.auth.backends import ModelBackend

from shared_apps.accounts.models import User, normalize_email


class EmailBackend(ModelBackend):
    """Email login, case-insensitive. Runs the hasher for unknown emails too, so the
    response time does not reveal whether an address has an account."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = normalize_email(email or username or kwargs.get(User.USERNAME_FIELD, ""))
        if not email or password is None:
            return None
        try:
            user = User.objects.get(email=email)
        except User.DoesNotExist:
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
