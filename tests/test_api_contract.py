"""The API contract: nothing a client sends is silently ignored, and the document says what
the server does. Every operation is discovered from the OpenAPI documents (both URLconfs),
so an endpoint added later is covered without touching this file."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator

from shared_apps.accounts.tests.factories import UserFactory
from shared_apps.core.query import UNKNOWN_PARAMETER, _inspect

URLCONFS = {"marketplace": "config.urls_tenant", "platform": "config.urls_public"}
TYPOS = ("pagesize", "chek_in")  # the typos people make: a parameter name slightly off


def _document(urlconf: str) -> dict:
    return SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)


def _operations(urlconf: str, method: str | None = None):
    """(path, method, operation) for every documented operation of `urlconf`."""
    for path, methods in _document(urlconf)["paths"].items():
        for verb, operation in methods.items():
            if method is None or verb == method:
                yield path, verb, operation


def _url(path: str, operation: dict) -> str:
    """The path with its parameters filled: ids that exist nowhere (the query string is
    checked before any lookup, so a 404 here would mean the check never ran)."""
    values = {"slug": "alpha", "provider": "stripe"}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            name = parameter["name"]
            path = path.replace("{" + name + "}", values.get(name, str(uuid.uuid4())))
    return path


def _query_names(operation: dict) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


@pytest.fixture
def callers(api, alpha, platform_host):
    """Callers allowed past authentication and permissions on each host: the marketplace's
    admin (a host too) and a platform operator."""
    return {
        "marketplace": api(alpha.host, alpha.admin),
        "platform": api(platform_host, UserFactory(is_staff=True)),
    }


@pytest.mark.parametrize("urlconf", URLCONFS.values())
def test_the_query_check_accepts_exactly_what_the_document_lists(urlconf):
    documented = {(path, verb): _query_names(op) for path, verb, op in _operations(urlconf)}

    for path, _regex, method, callback in EndpointEnumerator(urlconf=urlconf).get_api_endpoints():
        if (path, method.lower()) not in documented:
            continue  # the schema and docs views themselves
        view = callback.cls(**getattr(callback, "initkwargs", {}))
        view.request, view.args, view.kwargs, view.format_kwarg = None, (), {}, None

        assert set(_inspect(view, method)) == documented[path, method.lower()], (method, path)


@pytest.mark.parametrize("host", URLCONFS)
def test_every_read_refuses_an_unknown_query_parameter_naming_it(host, callers):
    caller = callers[host]
    reads = list(_operations(URLCONFS[host], "get"))
    assert len(reads) >= (15 if host == "marketplace" else 3)  # discovery found them

    for path, _verb, operation in reads:
        for typo in TYPOS:
            response = caller.get(_url(path, operation), {typo: "1"})

            assert response.status_code == 400, (path, typo, response.content)
            body = response.json()
            assert body["code"] == "invalid"
            assert body["fields"] == {typo: [UNKNOWN_PARAMETER]}, path
            assert typo in body["message"]


@pytest.mark.parametrize("host", URLCONFS)
def test_every_write_refuses_an_unknown_query_parameter(host, callers):
    caller = callers[host]

    for path, verb, operation in _operations(URLCONFS[host]):
        if verb == "get" or "webhooks" in path:
            continue
        url = _url(path, operation) + "?dry_run=1"
        response = getattr(caller, verb)(url, {}, format="json")

        assert response.status_code == 400, (verb, path, response.content)
        assert "dry_run" in response.json()["fields"], (verb, path)


@pytest.mark.parametrize("host", URLCONFS)
def test_every_paged_list_refuses_an_oversize_page_naming_page_size(host, callers):
    caller = callers[host]
    paged = [
        (path, op) for path, _v, op in _operations(URLCONFS[host], "get")
        if "page_size" in _query_names(op)
    ]  # fmt: skip
    assert len(paged) >= (5 if host == "marketplace" else 2)

    for path, operation in paged:
        for size in (settings.MAX_PAGE_SIZE + 1, 0, "ten"):
            response = caller.get(_url(path, operation), {"page_size": size})

            assert response.status_code == 400, (path, size, response.content)
            assert response.json()["code"] == "invalid_page_size"
            assert list(response.json()["fields"]) == ["page_size"], path
        largest = caller.get(_url(path, operation), {"page_size": settings.MAX_PAGE_SIZE})
        assert largest.status_code in (200, 404), (path, largest.content)


def test_graphql_refuses_the_same_oversize_page_as_rest(gql, alpha):
    query = "query($n: PageSize!) { properties(first: $n) { items { id } } }"
    _status, answer = gql(alpha.host)(query, {"n": settings.MAX_PAGE_SIZE + 1})

    assert answer["errors"][0]["extensions"]["code"] == "invalid_page_size"
    assert f"1 to {settings.MAX_PAGE_SIZE}" in answer["errors"][0]["message"]


def test_a_cursor_we_never_gave_out_is_bad_input_in_rest_as_in_graphql(api, alpha):
    response = api(alpha.host).get("/api/v1/properties", {"cursor": "junk"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"
    assert list(response.json()["fields"]) == ["cursor"]
