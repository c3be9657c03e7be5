"""The page a new admin (or anyone with a reset link) lands on to choose a password."""

from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from shared_apps.accounts.services import user_from_uid


@never_cache
@csrf_protect
def set_password_page(request, uidb64: str, token: str):
    user = user_from_uid(uidb64)
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/set_password.html", {"invalid": True}, status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        return render(request, "accounts/set_password.html", {"done": True, "user": user})
    return render(request, "accounts/set_password.html", {"form": form, "user": user})
