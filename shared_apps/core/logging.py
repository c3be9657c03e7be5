"""Structured logs: every line carries the marketplace (schema), the request id and the user.

The request id and the user live in context variables, set for a web request by
`RequestContextMiddleware` and for a task by the task base (shared_apps.core.tasks), which
takes them from the headers the sending side put on the message: a task's lines carry the
id of the request that sent it. The marketplace is whatever schema the connection serves.
`LOG_FORMAT=json` (the prod default) writes one JSON object per line; `plain` is for people.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

NONE = "-"
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NONE)
# The user as a label (set for tasks), or the request whose user is read when a line is logged.
user_var: contextvars.ContextVar[str] = contextvars.ContextVar("log_user", default=NONE)
request_var: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "log_request", default=None
)

REQUEST_ID_HEADER = "X-Request-ID"
# Message headers that carry the context from the sender to the task.
TASK_REQUEST_ID_HEADER = "log_request_id"
TASK_USER_HEADER = "log_user"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_CONTEXT_ATTRIBUTES = {"tenant", "schema_name", "request_id", "user"}

access_logger = logging.getLogger("rental.access")


def current_user_label() -> str:
    """The user's id, "anonymous", or "-" (no request, or not yet known). Never queries:
    a user Django has not loaded yet (lazy) is not loaded for a log line."""
    label = user_var.get()
    if label != NONE:
        return label
    request = request_var.get()
    if request is None:
        return NONE
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:
            return NONE
        user = user._wrapped
    if user is None:
        return NONE
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    return str(user.pk)


def current_tenant_label() -> str:
    return getattr(connection, "schema_name", None) or NONE


class LogContextFilter(logging.Filter):
    """Stamps every record with the marketplace, the request id and the user."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.tenant = record.schema_name = current_tenant_label()
        record.request_id = request_id_var.get()
        record.user = current_user_label()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, tenant, request_id, user,
    any `extra` fields, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        body = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "tenant": getattr(record, "tenant", NONE),
            "request_id": getattr(record, "request_id", NONE),
            "user": getattr(record, "user", NONE),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and key not in _CONTEXT_ATTRIBUTES:
                body[key] = value
        if record.exc_info:
            body["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(body, default=str)


class RequestContextMiddleware:
    """First in the chain: gives the request its id (the caller's `X-Request-ID` when it is
    a sane token, else a new one), returns it in the response, and logs one access line
    per request with the marketplace and the user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        started = time.perf_counter()
        tokens = (request_id_var.set(request_id), request_var.set(request))
        try:
            response = self.get_response(request)
            if not request.path.startswith("/healthz"):
                access_logger.info(
                    "%s %s %s %.1fms",
                    request.method,
                    request.path,
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                    extra={"status": response.status_code, "method": request.method},
                )
        finally:
            request_id_var.reset(tokens[0])
            request_var.reset(tokens[1])
        response[REQUEST_ID_HEADER] = request_id
        return response


def _header(task_request, name: str) -> str | None:
    headers = getattr(task_request, "headers", None) or {}
    return headers.get(name) or getattr(task_request, name, None)


@contextlib.contextmanager
def task_log_context(task_request) -> Iterator[None]:
    """Around a task's run: the request id and user of whoever sent it (a task sent by no
    request is its own request: its task id)."""
    request_id = _header(task_request, TASK_REQUEST_ID_HEADER) or request_id_var.get()
    if request_id == NONE:
        request_id = getattr(task_request, "id", None) or NONE
    user = _header(task_request, TASK_USER_HEADER) or current_user_label()
    tokens = (request_id_var.set(request_id), user_var.set(user))
    try:
        yield
    finally:
        request_id_var.reset(tokens[0])
        user_var.reset(tokens[1])


def add_context_headers(headers: dict | None = None, **_kwargs) -> None:
    """Celery `before_task_publish`: the sender's request id and user go with the task."""
    if headers is None:
        return
    headers.setdefault(TASK_REQUEST_ID_HEADER, request_id_var.get())
    headers.setdefault(TASK_USER_HEADER, current_user_label())
