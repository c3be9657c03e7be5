"""Building blocks every app's GraphQL module uses, so queries and mutations stay as thin
as REST views: parse (the REST input serializers), authorize (the REST permission classes),
call the service, return the object or typed errors."""

from __future__ import annotations

import enum
from typing import Any

import graphene
from django.core.exceptions import ValidationError as DjangoValidationError
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLError
from graphql.language import IntValueNode
from rest_framework import exceptions as drf

from shared_apps.core.errors import (
    ApplicationError,
    AuthenticationError,
    ForbiddenError,
    all_error_codes,
)
from shared_apps.core.pagination import PAGE_SIZE_CODE, page_size_problem
from shared_apps.core.permissions import (
    IsMarketplaceAdmin,
    IsMarketplaceHost,
    IsMarketplaceMember,
    request_membership,
)
from shared_apps.core.serializers import validated
from shared_apps.core.throttling import ResilientScopedRateThrottle

# --- Page sizes -----------------------------------------------------------------------------


def _page_size(value) -> int:
    if (problem := page_size_problem(value)) is not None:  # the REST lists' rule
        raise GraphQLError(problem, extensions={"code": PAGE_SIZE_CODE})
    return value


class PageSize(graphene.Scalar):
    """How many items a page holds: 1 to the server's limit (50 by default). Checked while
    the query is validated and its variables read, so a larger page is refused before any
    resolver, and any database work, runs."""

    @staticmethod
    def serialize(value):
        return value

    @staticmethod
    def parse_value(value):
        return _page_size(value)

    @staticmethod
    def parse_literal(ast, _variables=None):
        if not isinstance(ast, IntValueNode):
            raise GraphQLError(
                "A page size is a whole number.", extensions={"code": PAGE_SIZE_CODE}
            )
        return _page_size(int(ast.value))


def page_arguments(default: int = 20) -> dict[str, graphene.Argument]:
    return {
        # Non-null with a default: leaving `first` out gives the default, `first: null` is
        # refused while the query is validated (it reached the slicing as None: a 500).
        "first": graphene.Argument(graphene.NonNull(PageSize), default_value=default),
        "after": graphene.String(description="The `nextCursor` of the previous page."),
    }


# --- Who is asking ----------------------------------------------------------------------------


def viewer(info):
    """The authenticated user, or None (anonymous)."""
    user = info.context.user
    return user if user.is_authenticated else None


def _require(info, permission) -> Any:
    request = info.context
    if not request.user.is_authenticated:
        if getattr(request, "graphql_auth_error", None) is not None:
            raise request.graphql_auth_error  # e.g. a token of another marketplace
        raise AuthenticationError(
            "Authentication credentials were not provided.", code="not_authenticated"
        )
    if not permission.has_permission(request, None):
        raise ForbiddenError(permission.message)
    return request.user


def require_member(info):
    return _require(info, IsMarketplaceMember())


def require_host(info):
    return _require(info, IsMarketplaceHost())


def require_admin(info):
    return _require(info, IsMarketplaceAdmin())


def membership(info):
    return request_membership(info.context)


def throttle(info, scope: str) -> None:
    """The REST endpoint's throttle (same scope, so the same budget across both APIs)."""

    class View:
        throttle_scope = scope

    limiter = ResilientScopedRateThrottle()
    if not limiter.allow_request(info.context, View()):
        wait = limiter.wait()
        raise ApplicationError(
            f"Too many requests. Try again in {int(wait or 0) + 1} seconds.",
            code="throttled",
            status=429,
        )


# --- Mutations: typed errors ---------------------------------------------------------------


# Every error code of every app (their `errors.py`), as the OpenAPI document lists them.
# Each value is its own name, so a code reads the same here as in REST ("dates_unavailable").
ErrorCode = graphene.Enum.from_enum(
    enum.Enum("ErrorCode", [(code, code) for code in all_error_codes()]),
    description=lambda member: (
        all_error_codes()[member.value]
        if member is not None
        else "A stable machine code; the same codes as the REST API's `ErrorCode`."
    ),
)


class MutationError(graphene.ObjectType):
    field = graphene.String(description="The input field at fault (camelCase), or null.")
    code = graphene.Field(ErrorCode, required=True, description="Stable machine-readable code.")
    message = graphene.String(required=True, description="What to fix, for people.")

    @staticmethod
    def resolve_code(error, info) -> str:
        return str(error.code)  # a TextChoices member or a plain string: the value


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    if isinstance(messages, list | tuple):
        return [m for value in messages for m in _flatten(value)]
    return [str(messages)]


def graphql_field_name(name: str | None) -> str | None:
    """A field at fault as GraphQL names it (camelCase), or None for the whole input."""
    return None if name in (None, "non_field_errors", "__all__") else to_camel_case(name)


def mutation_errors(exc: Exception) -> list[MutationError]:
    """The one mapping of expected errors to the typed `errors` list."""
    if isinstance(exc, ApplicationError):
        errors = [
            MutationError(field=graphql_field_name(name), code=exc.code, message=message)
            for name, messages in exc.fields.items()
            for message in _flatten(messages)
        ]
        return errors or [MutationError(field=None, code=exc.code, message=exc.message)]
    if isinstance(exc, drf.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {None: exc.detail}
        return [
            MutationError(field=graphql_field_name(name), code="invalid", message=message)
            for name, messages in detail.items()
            for message in _flatten(messages)
        ]
    if isinstance(exc, DjangoValidationError):
        items = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
        return [
            MutationError(field=graphql_field_name(name), code="invalid", message=message)
            for name, messages in items
            for message in messages
        ]
    raise exc


class BaseMutation(graphene.Mutation):
    """Subclasses implement `perform(root, info, **arguments)` returning the payload's
    fields; expected errors become `errors`, anything else is a server error (logged)."""

    errors = graphene.List(graphene.NonNull(MutationError), required=True)

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root, info, **arguments):
        try:
            return cls(errors=[], **cls.perform(root, info, **arguments))
        except (ApplicationError, drf.ValidationError, DjangoValidationError) as exc:
            return cls(errors=mutation_errors(exc))

    @classmethod
    def perform(cls, root, info, **arguments) -> dict:
        raise NotImplementedError


def input_dict(value) -> dict:
    """A GraphQL input object as the plain dict a REST serializer takes (only the fields
    the client sent, so a partial edit stays partial)."""
    return dict(value or {})


def parsed(serializer_class, data: dict, **kwargs) -> dict:
    """The REST serializer's validated data; its errors as an ApplicationError naming the
    GraphQL (camelCase) arguments at fault."""
    try:
        return validated(serializer_class, data, **kwargs)
    except drf.ValidationError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {None: exc.detail}
        fields = {
            (graphql_field_name(k) or "non_field_errors"): _flatten(v) for k, v in detail.items()
        }
        names = [name for name in fields if name != "non_field_errors"]
        message = (
            "Please correct these arguments: " + ", ".join(names) + "."
            if names
            else _flatten(detail)[0]
        )
        raise ApplicationError(message, code="invalid", fields=fields) from exc
