"""One application error type, mapped by one DRF exception handler to
`{"code", "message", "fields"}` with the right HTTP status."""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ErrorCode(models.TextChoices):
    """Codes any endpoint may answer with. Each app lists its own in its `errors.py` (e.g.
    `BookingsErrorCode`); `all_error_codes()` gathers them for the OpenAPI document and the
    GraphQL schema, so clients can switch on a published list."""

    INVALID = "invalid", "Bad input: `fields` names each field at fault"
    INVALID_CURSOR = "invalid_cursor", "A cursor the server never gave out"
    INVALID_PAGE_SIZE = "invalid_page_size", "A page size outside 1 to the maximum"
    MALFORMED_REQUEST = "malformed_request", "The body is not well-formed JSON (or too deep)"
    BAD_REQUEST = "bad_request", "The request could not be understood"
    BAD_HOST = "bad_host", "The Host header is not a valid host name"
    UNKNOWN_HOST = "unknown_host", "No marketplace is served at this host"
    NOT_AUTHENTICATED = "not_authenticated", "No credentials were sent"
    AUTHENTICATION_FAILED = "authentication_failed", "The credentials were refused"
    FORBIDDEN = "forbidden", "Not allowed to do this here"
    NOT_FOUND = "not_found", "No such thing here"
    METHOD_NOT_ALLOWED = "method_not_allowed", "The path does not take this method"
    NOT_ACCEPTABLE = "not_acceptable", "No answer in the asked-for media type"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", "The body's media type is not taken"
    CONFLICT = "conflict", "Conflicts with the current state"
    THROTTLED = "throttled", "Too many requests; see Retry-After"
    TEMPORARILY_UNAVAILABLE = "temporarily_unavailable", "Briefly unavailable; see Retry-After"
    UPSTREAM_UNAVAILABLE = "upstream_unavailable", "A service we depend on failed"
    MARKETPLACE_SUSPENDED = "marketplace_suspended", "The marketplace is suspended"
    METRICS_TOKEN_REQUIRED = "metrics_token_required", "The metrics need the scrape token"
    QUERY_TOO_LARGE = "query_too_large", "The GraphQL request is too large"
    INTROSPECTION_DISABLED = "introspection_disabled", "GraphQL introspection is off here"
    NOT_AN_IMAGE = "not_an_image", "The upload is not a JPEG, PNG or WebP picture"
    PHOTO_TOO_LARGE = "photo_too_large", "The picture file is over the size limit"
    PHOTO_TOO_MANY_PIXELS = "photo_too_many_pixels", "The picture has more pixels than allowed"
    PHOTO_TOO_WIDE = "photo_too_wide", "The picture is wider or taller than allowed"
    SERVER_ERROR = "server_error", "A bug on our side (logged)"
    ERROR = "error", "Any other HTTP error"


@cache
def all_error_codes() -> dict[str, str]:
    """Every error code (value -> label): core's `ErrorCode` and each installed app's
    `<App>ErrorCode` in its `errors.py`. Found by convention, like admin.py modules, so core
    needs no import of the apps above it."""
    codes = {choice.value: choice.label for choice in ErrorCode}
    for config in apps.get_app_configs():
        if not config.name.startswith(("shared_apps.", "tenant_apps.")):
            continue
        try:
            module = importlib.import_module(f"{config.name}.errors")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, models.TextChoices)
                and value.__name__.endswith("ErrorCode")
            ):
                codes.update({choice.value: choice.label for choice in value})
    return dict(sorted(codes.items()))


class ApplicationError(Exception):
    """A business rule said no. `code` is stable and machine-readable; `message` is for people."""

    status_code = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}
        self.headers = headers or {}
        if status is not None:
            self.status_code = status


class AuthenticationError(ApplicationError):
    status_code = 401
    default_code = "authentication_failed"


class ForbiddenError(ApplicationError):
    status_code = 403
    default_code = "forbidden"


class NotFoundError(ApplicationError):
    status_code = 404
    default_code = "not_found"


def invalid_field(field: str, message: str, code: str = "invalid") -> ApplicationError:
    """The 400 for one field's value: the message both as the answer's and as the field's."""
    return ApplicationError(message, code=code, fields={field: [message]})


class ConflictError(ApplicationError):
    status_code = 409
    default_code = "conflict"


class UpstreamError(ApplicationError):
    """A service we depend on (a payment provider) failed or could not be reached. Nothing
    was changed here, so the client may simply try again later."""

    status_code = 503
    default_code = "upstream_unavailable"

    def __init__(self, message: str, *, retry_after: int = 30, **kwargs) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(retry_after)})
        super().__init__(message, **kwargs)


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def _validation_message(fields: dict[str, Any]) -> str:
    names = [name for name in fields if name != "non_field_errors"]
    if not names:
        first = fields.get("non_field_errors") or ["The request is invalid."]
        return str(first[0])
    return "Please correct these fields: " + ", ".join(names) + "."


def field_errors(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's error detail as `{field path: [messages]}`, the shape OpenAPI documents for
    `Error.fields`. Nested objects and list items get dotted paths: `domains.1` for the second
    item of a list, `items.0.price` for a field of the first object in a list; the errors of a
    nested object as a whole (its `non_field_errors`) are under the object's own path."""
    found: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = str(key)
            inner = path if key in ("non_field_errors", "__all__") and path else key
            inner = f"{path}.{key}" if path and inner != path else inner
            for name, messages in field_errors(value, inner).items():
                found.setdefault(name, []).extend(messages)
    elif isinstance(detail, list | tuple):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list | tuple):
                inner = f"{path}.{index}" if path else str(index)
                for name, messages in field_errors(item, inner).items():
                    found.setdefault(name, []).extend(messages)
            else:
                found.setdefault(path or "non_field_errors", []).append(str(item))
    else:
        found.setdefault(path or "non_field_errors", []).append(str(detail))
    return found


# DRF exception class -> (our code, a message a person can act on, or None for DRF's own).
_DRF_CODES: list[tuple[type[drf.APIException], str, str | None]] = [
    (drf.ParseError, "malformed_request", None),
    (drf.NotAuthenticated, "not_authenticated", "Authentication credentials were not provided."),
    (drf.AuthenticationFailed, "authentication_failed", None),
    (drf.PermissionDenied, "forbidden", None),
    (drf.NotFound, "not_found", None),
    (drf.MethodNotAllowed, "method_not_allowed", None),
    (drf.NotAcceptable, "not_acceptable", None),
    (drf.UnsupportedMediaType, "unsupported_media_type", None),
    (drf.Throttled, "throttled", None),
]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(
            error_body(exc.code, exc.message, field_errors(exc.fields)),
            status=exc.status_code,
            headers=exc.headers,
        )
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = _validation_message(fields) if fields else " ".join(exc.messages)
        return Response(error_body("invalid", message, fields), status=400)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()

    # DRF's handler sets the headers we want to keep (WWW-Authenticate, Retry-After).
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django answers 500 and logs it
    if isinstance(exc, drf.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = field_errors(detail)
        response.data = error_body("invalid", _validation_message(fields), fields)
        return response
    code, message = "error", None
    for exc_class, drf_code, drf_message in _DRF_CODES:
        if isinstance(exc, exc_class):
            code, message = drf_code, drf_message
            break
    if isinstance(exc, drf.AuthenticationFailed):
        # Our authentication raises flat details with stable codes (token_expired, ...).
        code = getattr(exc.detail, "code", None) or code
    if isinstance(exc, drf.Throttled) and exc.wait is not None:
        message = f"Too many requests. Try again in {int(exc.wait) + 1} seconds."
    if message is None:
        detail = exc.detail if isinstance(exc, drf.APIException) else str(exc)
        message = str(detail)
    response.data = error_body(code, message)
    return response
