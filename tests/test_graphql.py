"""/graphql/ as a whole: limits checked before any database work, dev-only tools, the
tenant binding of tokens, two-marketplace isolation, errors that never leak internals, and
schema.graphql kept current."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from shared_apps.accounts.constants import Role
from shared_apps.accounts.services import membership_grant
from shared_apps.accounts.tests.factories import PASSWORD
from tenant_apps.listings.tests.factories import listing_factory

ROOT = Path(__file__).resolve().parent.parent
SEARCH = "query($first: PageSize) { properties(first: $first) { items { id } nextCursor } }"


def _queries(run, query, variables=None):
    with CaptureQueriesContext(connection) as captured:
        status, body = run(query, variables)
    return status, body, len(captured)


def test_schema_graphql_is_the_current_schema():
    """Fails when a type changed and `manage.py export_graphql_schema` was not run."""
    call_command("export_graphql_schema", check=True, out=str(ROOT / "schema.graphql"))


def test_a_stale_schema_file_is_caught(tmp_path):
    stale = tmp_path / "schema.graphql"
    stale.write_text("type Query { nothing: String }\n")

    with pytest.raises(Exception, match="not the current schema"):
        call_command("export_graphql_schema", check=True, out=str(stale))
    call_command("export_graphql_schema", out=str(stale))
    call_command("export_graphql_schema", check=True, out=str(stale))


def test_a_page_larger_than_the_limit_is_refused_before_any_database_work(alpha, gql, host):
    listing_factory(alpha.tenant, host)
    run = gql(alpha.host)
    _, _, floor = _queries(run, "{ __typename }")  # host lookup only: what every request costs

    literal = _queries(run, "{ properties(first: 51) { items { id } } }")
    variable = _queries(run, SEARCH, {"first": 500})
    nested = _queries(run, "{ properties { items { reviews(first: 1000) { rating } } } }")
    allowed = _queries(run, SEARCH, {"first": 50})

    for status, body, count in (literal, variable, nested):
        assert status == 400
        assert "A page holds 1 to 50 items" in body["errors"][0]["message"]
        assert "data" not in body
        assert count == floor
    assert allowed[0] == 200
    assert len(allowed[1]["data"]["properties"]["items"]) == 1


def test_a_query_deeper_than_the_limit_is_refused_before_any_database_work(alpha, gql, host):
    listing_factory(alpha.tenant, host)
    run = gql(alpha.host)
    deep = "{ properties { items { reviews { author { firstName } } } } }"  # depth 4
    _, _, floor = _queries(run, "{ __typename }")

    with override_settings(GRAPHQL_MAX_DEPTH=3):
        status, body, count = _queries(run, deep)
    with override_settings(GRAPHQL_MAX_DEPTH=4):
        allowed = _queries(run, deep)

    assert status == 400
    assert "exceeds maximum operation depth of 3" in body["errors"][0]["message"]
    assert count == floor
    assert allowed[0] == 200


def test_an_oversized_request_is_refused(alpha, gql):
    with override_settings(GRAPHQL_MAX_QUERY_BYTES=100):
        status, body = gql(alpha.host)("{ " + "branding { name } " * 20 + "}")

    assert status == 413
    assert body["errors"][0]["extensions"]["code"] == "query_too_large"


def test_introspection_and_graphiql_only_with_the_dev_tools_setting(alpha, gql, api):
    introspect = "{ __schema { queryType { name } } }"

    status, body = gql(alpha.host)(introspect)
    page = api(alpha.host).get("/graphql/", HTTP_ACCEPT="text/html")
    with override_settings(GRAPHQL_DEV_TOOLS=True):
        dev_status, dev_body = gql(alpha.host)(introspect)
        dev_page = api(alpha.host).get("/graphql/", HTTP_ACCEPT="text/html")

    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "introspection_disabled"
    assert b"graphiql" not in page.content.lower()
    assert dev_status == 200
    assert dev_body["data"]["__schema"]["queryType"]["name"] == "Query"
    assert dev_page.status_code == 200
    assert b"graphiql" in dev_page.content.lower()


def test_tokens_are_bound_to_the_marketplace_that_issued_them(alpha, bravo, gql, make_member):
    member = make_member(alpha.tenant).user
    membership_grant(user=member, tenant=bravo.tenant, role=Role.GUEST)
    me = "{ me { email membership { role } } }"

    own_status, own = gql(alpha.host, member)(me)
    _, foreign = gql(alpha.host, member, issuer=bravo.tenant)(me)
    _, public_with_foreign = gql(alpha.host, member, issuer=bravo.tenant)("{ branding { name } }")
    _, login_with_foreign = gql(alpha.host, member, issuer=bravo.tenant)(
        "mutation($e: String!, $p: String!) { obtainToken(email: $e, password: $p) "
        "{ access errors { code } } }",
        {"e": member.email, "p": PASSWORD},
    )
    _, anonymous = gql(alpha.host)(me)

    assert own_status == 200
    assert own["data"]["me"] == {"email": member.email, "membership": {"role": "guest"}}
    assert foreign["data"] is None
    assert foreign["errors"][0]["extensions"]["code"] == "token_wrong_tenant"
    assert public_with_foreign["data"]["branding"]["name"] == "Alpha Stays"
    assert login_with_foreign["data"]["obtainToken"]["errors"] == []
    assert login_with_foreign["data"]["obtainToken"]["access"]
    assert anonymous["errors"][0]["extensions"]["code"] == "not_authenticated"


def test_a_token_obtained_through_graphql_works_for_rest_on_the_same_host_only(
    alpha, bravo, gql, api, make_member
):
    member = make_member(alpha.tenant).user
    _, body = gql(alpha.host)(
        "mutation($e: String!, $p: String!) { obtainToken(email: $e, password: $p) "
        "{ access refresh errors { code } } }",
        {"e": member.email, "p": PASSWORD},
    )
    access = body["data"]["obtainToken"]["access"]

    on_alpha = api(alpha.host).get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {access}")
    on_bravo = api(bravo.host).get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {access}")

    assert on_alpha.status_code == 200
    assert on_bravo.status_code == 401


def test_one_marketplace_sees_nothing_of_another_through_graphql(
    alpha, bravo, gql, host, make_member
):
    listing = listing_factory(alpha.tenant, host, city="Alphaville")
    bravo_guest = make_member(bravo.tenant).user
    query = """query($id: UUID!) {
        properties(city: "Alphaville") { items { id } }
        property(id: $id) { id }
        propertyReviews(propertyId: $id) { items { id } }
    }"""

    _, on_alpha = gql(alpha.host)("query($id: UUID!) { property(id: $id) { id } }", {
        "id": str(listing.id)
    })  # fmt: skip
    _, on_bravo = gql(bravo.host, bravo_guest)(query, {"id": str(listing.id)})
    _, edit_from_bravo = gql(bravo.host, bravo_guest)(
        'mutation($id: UUID!) { updateProperty(id: $id, input: {title: "x"}) '
        "{ property { id } errors { code } } }",
        {"id": str(listing.id)},
    )
    _, alpha_host_on_bravo = gql(bravo.host, host, issuer=alpha.tenant)("{ me { email } }")

    assert on_alpha["data"]["property"]["id"] == str(listing.id)
    assert on_bravo["data"] is None or on_bravo["data"]["property"] is None
    assert on_bravo["errors"][0]["extensions"]["code"] == "not_found"
    assert edit_from_bravo["data"]["updateProperty"]["errors"][0]["code"] in (
        "forbidden",
        "not_found",
    )
    assert alpha_host_on_bravo["errors"][0]["extensions"]["code"] == "token_wrong_tenant"


def test_a_non_member_is_refused(alpha, bravo, gql, make_member):
    outsider = make_member(bravo.tenant).user

    _, body = gql(alpha.host, outsider, issuer=alpha.tenant)("{ me { email } }")

    assert body["errors"][0]["extensions"]["code"] == "forbidden"
    assert outsider.email not in str(body)


def test_unexpected_errors_never_leak_internals(alpha, gql, monkeypatch):
    from tenant_apps.listings import selectors

    def broken(**kwargs):
        raise RuntimeError("password=hunter2 at db-primary:5432")

    monkeypatch.setattr(selectors, "property_search_sorted", broken)

    status, body = gql(alpha.host)("{ properties { items { id } } }")

    assert status == 200
    assert body["errors"][0]["extensions"] == {"code": "server_error"}
    assert "hunter2" not in str(body)
    assert "RuntimeError" not in str(body)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("{not json", "application/json"), ("[]", "application/json"), ("", "application/json")],
)
def test_malformed_requests_are_a_clear_400(alpha, api, body, content_type):
    response = api(alpha.host).generic("POST", "/graphql/", body, content_type=content_type)

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["message"]
    assert "Traceback" not in error["message"]


@pytest.mark.parametrize(
    "cursor",
    [
        "junk!",
        "WzEsMl0",  # [1,2]: the wrong number of values
        "WyJub3QtYS1kYXRlIiwibm90LWEtdXVpZCJd",  # ["not-a-date","not-a-uuid"]
        "eyJhIjoxfQ",  # {"a":1}
    ],
)
def test_a_cursor_we_did_not_give_out_is_a_clear_error(alpha, gql, host, cursor):
    listing_factory(alpha.tenant, host)

    status, body = gql(alpha.host)(
        "query($after: String) { properties(after: $after) { items { id } } }", {"after": cursor}
    )

    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "invalid_cursor"
    assert "Start again from the first page" in body["errors"][0]["message"]


def test_production_never_serves_introspection_or_graphiql():
    from tests.test_settings_and_contract import REAL_SECRETS, _manage

    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.GRAPHQL_DEV_TOOLS)",
        GRAPHQL_DEV_TOOLS="true",
        **REAL_SECRETS,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
