"""The API contract: nothing a client sends is silently ignored, and the document says what
the server does. Every operation is discovered from the OpenAPI documents (both URLconfs),
so an endpoint added later is covered without touching this file."""

from __future__ import annotations

import ast
import logging
import re
import secrets
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator

from shared_apps.accounts.tests.factories import UserFactory
from shared_apps.core.errors import all_error_codes
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


# --- Error codes: one published list --------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
# Calls whose `code` is an API error code (Django form and model ValidationErrors carry
# their own codes, which the API reports as `invalid`).
_CODE_CALLS = (
    "Error",
    "AuthenticationFailed",
    "GatewayError",
    "Problem",
    "error_body",
    "_error_json",
    "invalid_field",
)


def _codes_in_source() -> dict[str, str]:
    """Every literal error code the application code can answer with -> where it is."""
    found = {}
    for path in [*ROOT.glob("shared_apps/**/*.py"), *ROOT.glob("tenant_apps/**/*.py")]:
        if "tests" in path.parts or "migrations" in path.parts or path.parent.name == "storefront":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
                if name.endswith("ValidationError"):  # a field's code, under `fields`
                    continue
                # `code=` given to any call (errors, and helpers that build them)
                values = [k.value for k in node.keywords if k.arg == "code"]
                if name in ("Problem", "error_body", "_error_json") and node.args:
                    values.append(node.args[0])
                if name == "invalid_field" and len(node.args) > 2:
                    values.append(node.args[2])
                for value in values:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found[value.value] = where
                    elif isinstance(value, ast.JoinedStr):
                        found["<built at run time>"] = where
            elif isinstance(node, ast.Assign) and any(
                getattr(target, "id", None) == "default_code" for target in node.targets
            ):  # an error class's own code
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    found[node.value.value] = where
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    is_code = isinstance(key, ast.Constant) and key.value == "code"
                    if is_code and isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found[value.value] = where
    return found


def test_every_error_code_in_the_code_is_a_listed_one():
    listed = all_error_codes()
    used = _codes_in_source()

    assert len(used) > 40  # the scan finds them
    unlisted = {code: where for code, where in used.items() if code not in listed}
    assert unlisted == {}, "add these to the app's errors.py"


def test_every_app_lists_its_codes_as_text_choices_in_errors_py():
    for app in ("accounts", "tenants"):
        module = __import__(f"shared_apps.{app}.errors", fromlist=["x"])
        assert any(name.endswith("ErrorCode") for name in vars(module)), app
    for app in ("listings", "bookings", "payments", "reviews"):
        module = __import__(f"tenant_apps.{app}.errors", fromlist=["x"])
        assert any(name.endswith("ErrorCode") for name in vars(module)), app


@pytest.mark.parametrize("urlconf", URLCONFS.values())
def test_the_openapi_documents_list_the_error_codes(urlconf):
    schemas = _document(urlconf)["components"]["schemas"]

    assert schemas["Error"]["properties"]["code"] == {"$ref": "#/components/schemas/ErrorCode"}
    assert schemas["ErrorCode"]["enum"] == list(all_error_codes())
    assert {"dates_unavailable", "invalid_page_size", "token_expired"} <= set(
        schemas["ErrorCode"]["enum"]
    )


def test_the_graphql_schema_lists_the_same_error_codes():
    from config.graphql import schema

    error_code = schema.graphql_schema.get_type("ErrorCode")
    mutation_error = schema.graphql_schema.get_type("MutationError")

    assert list(error_code.values) == list(all_error_codes())
    assert str(mutation_error.fields["code"].type) == "ErrorCode!"
    assert "enum ErrorCode" in (ROOT / "schema.graphql").read_text()


def test_a_mutation_error_code_reads_as_in_rest(gql, alpha):
    _status, body = gql(alpha.host)(
        'mutation { createBooking(input: {propertyId: "00000000-0000-0000-0000-000000000000", '
        'checkIn: "2030-01-01", checkOut: "2030-01-02", guests: 1}) { errors { code } } }'
    )

    assert body["data"]["createBooking"]["errors"] == [{"code": "not_authenticated"}]


# --- JSON everywhere under /api/ --------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/properties/not-a-uuid",
        "/api/v1/bookings/42/accept",
        "/api/v1/nothing-here",
        "/api/elsewhere",
    ],
)
def test_an_api_address_that_matches_nothing_is_a_json_404_even_with_debug_on(
    api, alpha, platform_host, settings, path
):
    settings.DEBUG = True  # where Django would answer with its HTML debug page

    for host in (alpha.host, platform_host):
        response = api(host).get(path, HTTP_ACCEPT="text/html")

        assert response.status_code == 404, (host, path)
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_found"


def test_a_missing_trailing_slash_is_named(api, alpha):
    response = api(alpha.host).get("/api/schema")

    assert response.status_code == 404
    assert "/api/schema/" in response.json()["message"]


def test_the_platform_root_says_what_is_served_there(api, platform_host, db):
    response = api(platform_host).get("/")

    assert response.status_code == 200
    links = response.json()["links"]
    assert links["api_docs"].endswith("/api/docs/")
    assert api(platform_host).get(links["api_docs"]).status_code == 200
    assert api(platform_host).get(links["openapi"]).status_code == 200


# --- GraphiQL offline -------------------------------------------------------------------------


def test_graphiql_loads_only_our_own_static_files_and_no_inline_script(api, alpha, settings):
    from django.contrib.staticfiles import finders

    settings.GRAPHQL_DEV_TOOLS = True  # the page is a development tool

    response = api(alpha.host).get("/graphql/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    page = response.content.decode()
    assert "http://" not in page
    assert "https://" not in page  # no CDN: works offline
    assert 'data-endpoint="/graphql/"' in page
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert len(sources) == page.count("<script")  # every script is a file: no inline code
    assert "style=" not in page
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    for url in [*sources, *links]:
        assert url.startswith(settings.STATIC_URL), url
        assert finders.find(url.removeprefix(settings.STATIC_URL)), f"{url} is not in the project"


# --- Smaller contract fixes -------------------------------------------------------------------


def test_a_block_that_starts_in_the_past_is_refused(api, alpha, host):
    from tenant_apps.listings.tests.factories import listing_factory

    listing = listing_factory(alpha.tenant, host)
    today = timezone.localdate()
    url = f"/api/v1/properties/{listing.id}/blocks"

    past = api(alpha.host, host).post(
        url, {"start": today - timedelta(days=1), "end": today + timedelta(days=2)}
    )
    from_today = api(alpha.host, host).post(url, {"start": today, "end": today + timedelta(3)})

    assert past.status_code == 400
    assert past.json()["code"] == "block_in_past"
    assert list(past.json()["fields"]) == ["start"]
    assert from_today.status_code == 201


def test_a_suspended_marketplace_is_logged_as_information_not_as_an_error(api, alpha, caplog):
    from shared_apps.tenants.services import tenant_suspend

    tenant_suspend(tenant=alpha.tenant, reason="unpaid invoice")

    with caplog.at_level(logging.INFO):
        response = api(alpha.host).get("/api/v1/branding")

    assert response.status_code == 503
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any("suspended" in r.getMessage() for r in caplog.records)


def _paystack_keys() -> dict:
    token = secrets.token_hex(20)
    return {"secret_key": f"sk_test_{token}", "publishable_key": f"pk_test_{token}"}


def test_paystack_settings_given_a_webhook_secret_say_why_it_is_not_used(api, alpha):
    body = {"provider": "paystack", **_paystack_keys(), "webhook_secret": "whsec_abc123"}

    response = api(alpha.host, alpha.admin).put("/api/v1/payment-settings", body)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["webhook_secret"]
    assert (
        "signs its webhooks with your secret key" in response.json()["fields"]["webhook_secret"][0]
    )


def test_a_currency_the_provider_does_not_take_names_the_operator(api, alpha):
    with tenant_context(alpha.tenant):
        alpha.tenant.currency = "EUR"
        alpha.tenant.save(update_fields=["currency"])

    response = api(alpha.host, alpha.admin).put(
        "/api/v1/payment-settings", {"provider": "paystack", **_paystack_keys()}
    )

    assert response.status_code == 400
    message = response.json()["fields"]["currency"][0]
    assert "doesn't take EUR" in message
    assert "platform operator" in message


def test_the_marketplace_admin_and_its_login_page_carry_the_brand_colour(client, alpha, bravo):
    pages = {}
    for market in (alpha, bravo):
        page = client.get("/admin/login/", HTTP_HOST=market.host).content.decode()
        [stylesheet] = re.findall(r'href="(/admin/brand\.css\?v=[0-9a-f]+)"', page)
        css = client.get(stylesheet, HTTP_HOST=market.host)
        pages[market.slug] = (stylesheet, css)

    alpha_css = pages["alpha"][1]
    assert alpha_css.status_code == 200
    assert alpha_css["Content-Type"].startswith("text/css")
    assert "--primary: #0a7d32;" in alpha_css.content.decode()  # alpha's brand colour
    assert "--primary: #1d4ed8;" in pages["bravo"][1].content.decode()
    assert pages["alpha"][0] != pages["bravo"][0]  # a rebrand is a new URL
    assert "style=" not in pages["alpha"][1].content.decode()
