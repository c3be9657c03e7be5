"""Identity endpoints. Auth views serve both hosts; the rest are marketplace-only."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_apps.accounts import services
from shared_apps.accounts.api.serializers import (
    LoginInput,
    MemberListQuery,
    MemberOutput,
    MemberUpdateInput,
    MeOutput,
    MeUpdateInput,
    PasswordResetInput,
    PasswordSetInput,
    RefreshInput,
    SignupInput,
    SignupOutput,
    TokenPairOutput,
)
from shared_apps.accounts.models import Membership
from shared_apps.accounts.selectors import member_get, member_list
from shared_apps.accounts.tokens import tokens_for_user
from shared_apps.core.credentials import client_address
from shared_apps.core.errors import NotFoundError
from shared_apps.core.permissions import IsMarketplaceAdmin, request_membership
from shared_apps.core.query import StrictQueryMixin
from shared_apps.core.serializers import validated
from shared_apps.core.tenancy import current_tenant
from shared_apps.core.throttling import ResilientScopedRateThrottle
from shared_apps.core.views import MarketplaceAPIView, MarketplaceGenericAPIView


class PublicAuthView(StrictQueryMixin, APIView):
    """Open to anyone, throttled per client: login, refresh and password endpoints."""

    permission_classes = [AllowAny]
    authentication_classes: list = []  # a stale or foreign token must not block a login
    throttle_classes = [ResilientScopedRateThrottle]


class TokenView(PublicAuthView):
    throttle_scope = "login"

    @extend_schema(
        summary="Log in: tokens bound to this host",
        description=(
            "Any credential failure (wrong password, unknown email, not a member of this "
            "marketplace, not staff on the platform host) is the same 401 "
            "`invalid_credentials`. Failures are counted per email across every host and per "
            "client address; past the limit, 429 `too_many_attempts` with Retry-After."
        ),
        request=LoginInput,
        responses=TokenPairOutput,
        tags=["auth"],
    )
    def post(self, request):
        data = validated(LoginInput, request.data)
        return Response(services.auth_login(**data, address=client_address(request)))


class TokenRefreshView(PublicAuthView):
    throttle_scope = "login"

    @extend_schema(
        summary="A new access and refresh token from a refresh token of this host",
        description=(
            "Refresh tokens rotate: each works once, and the answer carries the next one. "
            "Presenting a used one again is 401 `token_reused` and revokes every token of the "
            "account (it may have leaked)."
        ),
        request=RefreshInput,
        responses=TokenPairOutput,
        tags=["auth"],
    )
    def post(self, request):
        data = validated(RefreshInput, request.data)
        return Response(services.auth_refresh(**data))


class PasswordSetView(PublicAuthView):
    throttle_scope = "password"

    @extend_schema(
        summary="Set a password from an emailed link",
        request=PasswordSetInput,
        responses={204: None},
        tags=["auth"],
    )
    def post(self, request):
        data = validated(PasswordSetInput, request.data)
        services.password_set(
            uidb64=data["uid"],
            token=data["token"],
            password=data["password"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(PublicAuthView):
    throttle_scope = "password"

    @extend_schema(
        summary="Email a link to choose a new password",
        description="Always 202, whether or not the address has an account here.",
        request=PasswordResetInput,
        responses={202: None},
        tags=["auth"],
    )
    def post(self, request):
        data = validated(PasswordResetInput, request.data)
        services.password_reset_request(email=data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


class SignupView(MarketplaceAPIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ResilientScopedRateThrottle]
    throttle_scope = "signup"

    @extend_schema(
        summary="Sign up, or join this marketplace with an existing identity",
        request=SignupInput,
        responses={201: SignupOutput, 200: SignupOutput},
        tags=["auth"],
    )
    def post(self, request):
        data = validated(SignupInput, request.data)
        result = services.membership_signup(
            tenant=current_tenant(), **data, address=client_address(request)
        )
        body = {
            **tokens_for_user(user=result.user),
            "user": result.user,
            "role": result.membership.role,
            "identity_created": result.identity_created,
            "membership_created": result.membership_created,
        }
        created = result.membership_created
        return Response(
            SignupOutput(body).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MeView(MarketplaceAPIView):
    @extend_schema(summary="My profile and my role here", responses=MeOutput, tags=["me"])
    def get(self, request):
        return self._me(request)

    @extend_schema(
        summary="Edit my profile", request=MeUpdateInput, responses=MeOutput, tags=["me"]
    )
    def patch(self, request):
        data = validated(MeUpdateInput, request.data, partial=True)
        services.user_update_profile(user=request.user, data=data)
        return self._me(request)

    def _me(self, request):
        membership = request_membership(request)
        return Response(MeOutput(request.user, context={"membership": membership}).data)


class BecomeHostView(MarketplaceAPIView):
    @extend_schema(
        summary="Become a host on this marketplace", request=None, responses=MeOutput, tags=["me"]
    )
    def post(self, request):
        membership = services.membership_become_host(membership=request_membership(request))
        return Response(MeOutput(request.user, context={"membership": membership}).data)


class MemberListView(MarketplaceGenericAPIView):
    permission_classes = [IsMarketplaceAdmin]
    serializer_class = MemberOutput
    queryset = Membership.objects.none()  # for the OpenAPI generator; get() scopes the rows

    @extend_schema(
        summary="Members of this marketplace",
        parameters=[MemberListQuery],
        responses=MemberOutput(many=True),
        tags=["members"],
    )
    def get(self, request):
        query = validated(MemberListQuery, request.query_params)
        members = member_list(tenant=current_tenant(), **query)
        page = self.paginate_queryset(members)
        return self.get_paginated_response(MemberOutput(page, many=True).data)


class MemberDetailView(MarketplaceAPIView):
    permission_classes = [IsMarketplaceAdmin]

    def _member(self, user_id):
        member = member_get(tenant=current_tenant(), user_id=user_id)
        if member is None:
            raise NotFoundError("No member of this marketplace has this id.")
        return member

    @extend_schema(summary="One member", responses=MemberOutput, tags=["members"])
    def get(self, request, user_id):
        return Response(MemberOutput(self._member(user_id)).data)

    @extend_schema(
        summary="Change a member's role",
        request=MemberUpdateInput,
        responses=MemberOutput,
        tags=["members"],
    )
    def patch(self, request, user_id):
        data = validated(MemberUpdateInput, request.data)
        member = services.membership_set_role(membership=self._member(user_id), role=data["role"])
        return Response(MemberOutput(member).data)
