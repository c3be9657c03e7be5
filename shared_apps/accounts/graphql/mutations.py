"""Sign-up and tokens: the REST serializers, throttles and services; the tokens are the
REST API's (bound to this marketplace)."""

import graphene

from shared_apps.accounts import services
from shared_apps.accounts.api.serializers import LoginInput, RefreshInput, SignupInput
from shared_apps.accounts.graphql.types import UserNode
from shared_apps.accounts.tokens import tokens_for_user
from shared_apps.core.credentials import client_address
from shared_apps.core.graphql.base import BaseMutation, throttle
from shared_apps.core.serializers import validated
from shared_apps.core.tenancy import current_tenant


class SignUp(BaseMutation):
    """Sign up, or join this marketplace with an existing identity (its password)."""

    class Arguments:
        email = graphene.String(required=True)
        password = graphene.String(required=True)
        first_name = graphene.String()
        last_name = graphene.String()

    access = graphene.String()
    refresh = graphene.String()
    user = graphene.Field(UserNode)
    role = graphene.String()
    identity_created = graphene.Boolean()
    membership_created = graphene.Boolean()

    @classmethod
    def perform(cls, root, info, **arguments):
        throttle(info, "signup")
        data = validated(SignupInput, {k: v for k, v in arguments.items() if v is not None})
        result = services.membership_signup(
            tenant=current_tenant(), **data, address=client_address(info.context)
        )
        return {
            **tokens_for_user(user=result.user),
            "user": result.user,
            "role": result.membership.role,
            "identity_created": result.identity_created,
            "membership_created": result.membership_created,
        }


class ObtainToken(BaseMutation):
    """Log in: an access and a refresh token, valid on this marketplace only."""

    class Arguments:
        email = graphene.String(required=True)
        password = graphene.String(required=True)

    access = graphene.String()
    refresh = graphene.String()

    @classmethod
    def perform(cls, root, info, **arguments):
        throttle(info, "login")
        data = validated(LoginInput, arguments)
        return services.auth_login(**data, address=client_address(info.context))


class RefreshToken(BaseMutation):
    """A new access token and the next refresh token (refresh tokens rotate: each works once;
    reusing one revokes every token of the account)."""

    class Arguments:
        refresh = graphene.String(required=True)

    access = graphene.String()
    refresh = graphene.String()

    @classmethod
    def perform(cls, root, info, **arguments):
        throttle(info, "login")
        return services.auth_refresh(**validated(RefreshInput, arguments))


class Mutation(graphene.ObjectType):
    sign_up = SignUp.Field()
    obtain_token = ObtainToken.Field()
    refresh_token = RefreshToken.Field()
