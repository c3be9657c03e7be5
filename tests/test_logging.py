"""Structured logs: the marketplace, the request id and the user on every line, from web
requests and from the tasks they send."""

from __future__ import annotations

import json
import logging

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from shared_apps.core.logging import (
    JsonFormatter,
    LogContextFilter,
    add_context_headers,
    request_id_var,
    task_log_context,
    user_var,
)

pytestmark = pytest.mark.django_db


def _access_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "rental.access"]


def test_each_request_logs_its_marketplace_request_id_and_user(api, alpha, bravo, caplog):
    caplog.set_level(logging.INFO, logger="rental.access")

    from_alpha = api(alpha.host, alpha.admin).get("/api/v1/me", HTTP_X_REQUEST_ID="req-alpha-1")
    from_bravo = api(bravo.host).get("/api/v1/branding")

    assert from_alpha.status_code == 200
    assert from_alpha["X-Request-ID"] == "req-alpha-1"
    generated = from_bravo["X-Request-ID"]
    assert len(generated) == 32  # none given: a new one
    alpha_line, bravo_line = _access_lines(caplog)
    assert (alpha_line.tenant, alpha_line.request_id, alpha_line.user) == (
        "alpha",
        "req-alpha-1",
        str(alpha.admin.pk),
    )
    assert (bravo_line.tenant, bravo_line.request_id, bravo_line.user) == (
        "bravo",
        generated,
        "anonymous",
    )
    assert "GET /api/v1/me 200" in alpha_line.getMessage()


def test_a_request_id_that_is_not_a_sane_token_is_replaced(api, alpha, caplog):
    caplog.set_level(logging.INFO, logger="rental.access")

    response = api(alpha.host).get("/api/v1/branding", HTTP_X_REQUEST_ID="x" * 500)

    assert response["X-Request-ID"] != "x" * 500
    assert _access_lines(caplog)[0].request_id == response["X-Request-ID"]


def test_json_lines_carry_the_context_and_extra_fields(alpha):
    record = logging.makeLogRecord(
        {"name": "rental.test", "levelname": "WARNING", "msg": "paid %s", "args": ("42.00",)}
    )
    record.amount = "42.00"
    token = request_id_var.set("req-7")
    try:
        with tenant_context(alpha.tenant):
            LogContextFilter().filter(record)
    finally:
        request_id_var.reset(token)

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "paid 42.00"
    assert (line["tenant"], line["request_id"], line["user"]) == ("alpha", "req-7", "-")
    assert line["level"] == "WARNING"
    assert line["amount"] == "42.00"
    assert connection.schema_name == "public"


def test_a_task_carries_the_request_id_and_user_of_whoever_sent_it():
    class Sent:  # what a worker sees of a message: its headers and the task id
        id = "task-1"
        headers: dict = {}

    request_token, user_token = request_id_var.set("req-9"), user_var.set("user-3")
    try:
        add_context_headers(headers=Sent.headers)
    finally:
        request_id_var.reset(request_token)
        user_var.reset(user_token)

    with task_log_context(Sent):
        inside = request_id_var.get(), user_var.get()

    class Scheduled:  # sent by beat: no request behind it
        id = "task-2"
        headers: dict = {}

    with task_log_context(Scheduled):
        alone = request_id_var.get(), user_var.get()

    assert inside == ("req-9", "user-3")
    assert alone == ("task-2", "-")
    assert (request_id_var.get(), user_var.get()) == ("-", "-")  # reset after the task


def test_prod_writes_json_lines_and_dev_readable_ones():
    from tests.test_settings_and_contract import REAL_SECRETS, _manage

    say = "import logging; logging.getLogger('rental.test').warning('hello %s', 'ops')"
    prod = _manage("shell", "-c", say, **REAL_SECRETS)
    dev = _manage("shell", "-c", say, DJANGO_SETTINGS_MODULE="config.settings.dev")

    line = json.loads(prod.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello ops"
    assert (line["logger"], line["level"]) == ("rental.test", "WARNING")
    assert (line["tenant"], line["request_id"], line["user"]) == ("public", "-", "-")
    assert "WARNING [public - -] rental.test: hello ops" in dev.stderr
