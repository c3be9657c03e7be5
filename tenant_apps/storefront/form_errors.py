"""What host and admin views share: a service's refusal shown on the form that caused it."""

from __future__ import annotations

from django import forms

from shared_apps.core.errors import ApplicationError


def show_service_errors(form: forms.Form, error: ApplicationError, *, aliases=None) -> None:
    """Each of the error's field messages goes next to its field (through `aliases` when the
    service names a field differently); the rest, and the summary, above the form."""
    aliases = aliases or {}
    for name, messages in error.fields.items():
        field = aliases.get(name, name)
        for message in messages if isinstance(messages, list) else [messages]:
            if field in form.fields:
                form.add_error(field, str(message))
            else:
                form.add_error(None, f"{name.replace('_', ' ').capitalize()}: {message}")
    if error.message not in form.non_field_errors():
        form.add_error(None, error.message)
