"""Sign-up and tokens through GraphQL: the REST services and rules, tokens bound to the
marketplace that issued them."""

from shared_apps.accounts.models import Membership
from shared_apps.accounts.tests.factories import PASSWORD

SIGN_UP = """mutation($email: String!, $password: String!, $first: String) {
  signUp(email: $email, password: $password, firstName: $first) {
    access refresh role identityCreated membershipCreated user { email firstName }
    errors { field code message }
  } }"""
ME = "{ me { email firstName membership { role } } }"


def test_sign_up_then_join_another_marketplace_with_the_same_identity(gql, alpha, bravo):
    email = "new.guest@example.test"

    _, on_alpha = gql(alpha.host)(SIGN_UP, {"email": email, "password": PASSWORD, "first": "Ana"})
    _, wrong_password = gql(bravo.host)(SIGN_UP, {"email": email, "password": "not-it-at-all-9"})
    _, on_bravo = gql(bravo.host)(SIGN_UP, {"email": email, "password": PASSWORD})
    alpha_token = on_alpha["data"]["signUp"]["access"]
    _, me = gql(alpha.host)(ME, None, HTTP_AUTHORIZATION=f"Bearer {alpha_token}")
    _, me_on_bravo = gql(bravo.host)(ME, None, HTTP_AUTHORIZATION=f"Bearer {alpha_token}")

    created = on_alpha["data"]["signUp"]
    assert created["errors"] == []
    assert (created["role"], created["identityCreated"], created["membershipCreated"]) == (
        "guest",
        True,
        True,
    )
    assert wrong_password["data"]["signUp"]["errors"][0]["code"] == "invalid_credentials"
    joined = on_bravo["data"]["signUp"]
    assert (joined["identityCreated"], joined["membershipCreated"]) == (False, True)
    assert me["data"]["me"] == {"email": email, "firstName": "Ana", "membership": {"role": "guest"}}
    assert me_on_bravo["errors"][0]["extensions"]["code"] == "token_wrong_tenant"
    assert Membership.objects.filter(user__email=email).count() == 2


def test_bad_sign_ups_get_typed_errors(gql, alpha):
    _, weak = gql(alpha.host)(SIGN_UP, {"email": "weak@example.test", "password": "123"})
    _, bad_email = gql(alpha.host)(SIGN_UP, {"email": "not-an-email", "password": PASSWORD})

    assert weak["data"]["signUp"]["errors"][0]["field"] == "password"
    assert weak["data"]["signUp"]["access"] is None
    assert bad_email["data"]["signUp"]["errors"][0]["field"] == "email"


def test_tokens_and_refresh_through_graphql(gql, alpha, bravo, make_member):
    member = make_member(alpha.tenant).user
    login = (
        "mutation($e: String!, $p: String!) { obtainToken(email: $e, password: $p) "
        "{ access refresh errors { code } } }"
    )
    refresh = (
        "mutation($r: String!) { refreshToken(refresh: $r) { access refresh errors { code } } }"
    )

    _, tokens = gql(alpha.host)(login, {"e": member.email, "p": PASSWORD})
    _, not_member = gql(bravo.host)(login, {"e": member.email, "p": PASSWORD})
    _, wrong = gql(alpha.host)(login, {"e": member.email, "p": "wrong-password-123"})
    _, refreshed = gql(alpha.host)(refresh, {"r": tokens["data"]["obtainToken"]["refresh"]})
    _, refreshed_on_bravo = gql(bravo.host)(
        refresh, {"r": tokens["data"]["obtainToken"]["refresh"]}
    )
    _, reused = gql(alpha.host)(refresh, {"r": tokens["data"]["obtainToken"]["refresh"]})

    assert tokens["data"]["obtainToken"]["errors"] == []
    # A right password on a marketplace one has not joined reads as a wrong one.
    assert not_member["data"]["obtainToken"] == wrong["data"]["obtainToken"]
    assert wrong["data"]["obtainToken"]["errors"][0]["code"] == "invalid_credentials"
    assert refreshed["data"]["refreshToken"]["access"]
    # Rotation: the next refresh token comes back, and the spent one is refused (and revokes).
    assert refreshed["data"]["refreshToken"]["refresh"] != tokens["data"]["obtainToken"]["refresh"]
    assert reused["data"]["refreshToken"]["errors"][0]["code"] == "token_reused"
    assert refreshed_on_bravo["data"]["refreshToken"]["errors"][0]["code"] == "token_wrong_tenant"
