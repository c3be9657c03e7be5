"""Schemathesis over both OpenAPI documents, as served: the marketplace API on a marketplace
host (with a member's token: the marketplace's admin, who may also host) and the operator
API on the platform host (with an operator's token).

Every request goes through the whole Django stack in process (WSGI), with the test
settings: DEBUG off, the real PostgreSQL and Redis. A case fails on any 5xx, a response
whose body does not match the documented schema, or a status the document does not list.
Each operation gets MAX_EXAMPLES generated cases (SCHEMATHESIS_MAX_EXAMPLES to run more).

Besides the fuzzing, the mismatches the fuzzer found once are pinned by plain tests below."""

from __future__ import annotations

import os
from collections import Counter
from contextlib import contextmanager

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.test import Client
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from shared_apps.accounts.tests.factories import UserFactory
from shared_apps.accounts.tokens import tokens_for_user
from shared_apps.tenants.models import Tenant
from tenant_apps.listings.tests.factories import listing_factory

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "12"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases every run: a failure here is reproducible
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)


@contextmanager
def sharing_the_test_connection():
    """Requests through Django's WSGI handler use the test's connection and transaction.
    Django closes a connection inside a transaction at each request's start and end, so that
    is switched off meanwhile, as Django's test client does (around each of its requests,
    which is why no test client may run inside this block)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _served_schema(host: str):
    document = Client(HTTP_HOST=host).get("/api/schema/", {"format": "json"}).json()
    schema = schemathesis.openapi.from_dict(document)
    schema.app = WSGIHandler()  # the whole stack, in this process
    return schema


def _bearer(user, issuer: Tenant) -> dict[str, str]:
    with tenant_context(issuer):
        return {"Authorization": f"Bearer {tokens_for_user(user=user)['access']}"}


@pytest.fixture
def marketplace_schema(alpha, host):
    listing_factory(alpha.tenant, host)  # something to find, so lists are not all empty
    return _served_schema(alpha.host)


@pytest.fixture
def platform_schema(marketplaces, db, platform_host):
    return _served_schema(platform_host)


@pytest.fixture
def as_member(alpha):
    return {"base_url": f"http://{alpha.host}", "headers": _bearer(alpha.admin, alpha.tenant)}


@pytest.fixture
def as_operator(platform_host):
    operator = UserFactory(is_staff=True)
    public = Tenant.objects.get(domains__domain=platform_host)
    return {"base_url": f"http://{platform_host}", "headers": _bearer(operator, public)}


def _fuzz(schema, *, base_url: str, headers: dict[str, str], tally: Counter) -> list[str]:
    """Every operation of `schema`, MAX_EXAMPLES valid and invalid cases each; the failures.
    (schemathesis' own pytest loader needs a pytest older than ours, so the loop is here.)
    Each case runs in a savepoint rolled back afterwards: cases never see each other's rows,
    and one failure can't leave the transaction broken for the next."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @FUZZ_SETTINGS
        @given(case=strategy)
        def run(case):
            with transaction.atomic():
                try:
                    response = case.call_and_validate(
                        base_url=base_url, headers=headers, checks=CHECKS
                    )
                    tally[response.status_code] += 1
                finally:
                    transaction.set_rollback(True)

        try:
            with sharing_the_test_connection():
                run()
        except Exception as exc:  # noqa: BLE001  (collected: every operation gets its turn)
            failures.append(f"{operation.label}: {exc}")
    return failures


def _report(name: str, schema, tally: Counter, capsys) -> None:
    operations = sum(1 for _ in schema.get_all_operations())
    with capsys.disabled():
        print(  # noqa: T201  (what was covered, shown whatever -s says)
            f"\nschemathesis {name}: {operations} operations, {sum(tally.values())} cases, "
            f"statuses {dict(sorted(tally.items()))}"
        )


def test_marketplace_api_matches_its_document(marketplace_schema, as_member, capsys):
    tally = Counter()

    failures = _fuzz(marketplace_schema, **as_member, tally=tally)

    _report("marketplace API", marketplace_schema, tally, capsys)
    assert failures == []
    assert sum(tally.values()) >= 100  # the fuzzer did run, and got answers
    assert sum(n for status, n in tally.items() if status < 300) > 10


def test_operator_api_matches_its_document(platform_schema, as_operator, capsys):
    tally = Counter()

    failures = _fuzz(platform_schema, **as_operator, tally=tally)

    _report("operator API", platform_schema, tally, capsys)
    assert failures == []
    assert sum(tally.values()) >= 50
    assert sum(n for status, n in tally.items() if status < 300) > 5


# --- What the fuzzer found, pinned ------------------------------------------------------------
def test_error_fields_are_paths_to_lists_of_messages_never_keyed_by_index(api, alpha, host):
    from tenant_apps.listings.tests.factories import COMPLETE

    body = {**COMPLETE, "amenities": ["wifi", "not a slug!", "pool", "also bad?"]}

    response = api(alpha.host, host).post("/api/v1/properties", body, format="json")

    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"amenities.1", "amenities.3"}
    assert all(isinstance(m, list) and all(isinstance(x, str) for x in m) for m in fields.values())
    assert "amenities.1" in response.json()["message"]


def test_check_in_times_are_documented_as_what_they_are(api, alpha, host):
    import re

    listing = listing_factory(alpha.tenant, host)
    document = Client(HTTP_HOST=alpha.host).get("/api/schema/", {"format": "json"}).json()
    documented = document["components"]["schemas"]["PropertyOutput"]["properties"]

    answer = api(alpha.host).get(f"/api/v1/properties/{listing.id}").json()

    for name in ("check_in_time", "check_out_time"):
        assert "format" not in documented[name]  # `time` would mean RFC 3339 full-time (offset)
        assert re.fullmatch(documented[name]["pattern"], answer[name]), answer[name]
