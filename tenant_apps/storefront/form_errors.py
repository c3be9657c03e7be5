"""What host and admin views share: a service's refusal shown on the form that caused it,
and the save step around it (call the service; refused, the form again; done, a message
and a redirect)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from shared_apps.core.errors import ApplicationError


def show_service_errors(form: forms.Form, error: ApplicationError, *, aliases=None) -> None:
    """Each of the error's field messages goes next to its field (through `aliases` when the
    service names a field differently); the rest, and the summary, above the form."""
    aliases = aliases or {}
    for name, said in error.fields.items():
        field = aliases.get(name, name)
        for message in said if isinstance(said, list) else [said]:
            if field in form.fields:
                form.add_error(field, str(message))
            else:
                form.add_error(None, f"{name.replace('_', ' ').capitalize()}: {message}")
    if error.message not in form.non_field_errors():
        form.add_error(None, error.message)


def save_form(
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[], Any],
    message: str,
    redirect_to: str | Callable[[Any], str],
    *,
    aliases=None,
) -> HttpResponse | None:
    """Runs `call` (the service, for a form already valid). A refusal goes on the form and
    the answer is None, so the view renders the form again with its own status; success
    sends `message` and redirects. `redirect_to` is what `redirect` takes, or a function of
    the service's result for an address that names what was just made."""
    try:
        result = call()
    except ApplicationError as error:
        show_service_errors(form, error, aliases=aliases)
        return None
    messages.success(request, message)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
