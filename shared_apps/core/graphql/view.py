"""/graphql/ on marketplace hosts: the same tokens, tenant binding, limits and error format
rules as the REST API.

- Authentication is the REST API's bearer token (TenantJWTAuthentication), nothing else: a
  token from another marketplace is a 401 here too. Browser sessions are not read, which is
  why the endpoint can be exempt from CSRF.
- Limits are checked before any resolver runs (so before any database work): request size,
  tokens (while parsing), then the cost budget (fields, aliases, estimated cost: cost.py)
  and depth, then page sizes (the PageSize scalar), introspection in dev only.
- Errors: an ApplicationError keeps its message and code (in `extensions.code`); anything
  unexpected is logged and answered with a generic message, never its internals."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene.validation import depth_limit_validator
from graphene_django.views import GraphQLView as BaseGraphQLView
from graphene_django.views import HttpError
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.language import FieldNode
from graphql.validation import ValidationRule
from rest_framework import exceptions as drf

from shared_apps.accounts.authentication import TenantJWTAuthentication
from shared_apps.core.errors import ApplicationError, AuthenticationError
from shared_apps.core.graphql.base import graphql_field_name
from shared_apps.core.graphql.cost import Budget, cost_rule
from shared_apps.core.parsers import JSONTooDeep, check_json_depth
from shared_apps.core.tenancy import current_tenant

logger = logging.getLogger(__name__)

SERVER_ERROR = "Something went wrong on our side. It has been logged."

# GraphiQL's editor (CodeMirror) positions its widgets with inline style attributes and its
# stylesheet embeds fonts as data: URLs. Styles only: scripts stay 'self' + nonce.
GRAPHIQL_CSP = {"style-src": [UNSAFE_INLINE], "font-src": ["data:"]}


class NoIntrospection(ValidationRule):
    """Refuses `__schema` and `__type` (outside development); `__typename` stays, clients
    rely on it."""

    def enter_field(self, node: FieldNode, *_args):
        if node.name.value in ("__schema", "__type"):
            self.report_error(
                GraphQLError(
                    f"Cannot query '{node.name.value}': introspection is disabled here. "
                    "The schema is published as schema.graphql.",
                    node,
                    extensions={"code": "introspection_disabled"},
                )
            )


def budget_rules(limits: Limits) -> tuple:
    """The cheap checks, linear in the document: run first and alone, so a hostile document
    is refused before the standard rules (one of which is quadratic in repeated fields) see
    it."""
    from config.graphql import FIELD_COSTS

    budget = Budget(
        max_cost=limits.max_cost,
        max_fields=limits.max_fields,
        max_aliases=limits.max_aliases,
        max_repeats=limits.max_repeats,
        largest_page=limits.largest_page,
        field_costs=FIELD_COSTS,
    )
    return (cost_rule(budget), depth_limit_validator(max_depth=limits.max_depth))


def validation_rules(*, dev_tools: bool) -> tuple:
    rules = list(specified_rules)
    if not dev_tools:
        rules.append(NoIntrospection)
    return tuple(rules)


@dataclass(frozen=True)
class Limits:
    max_depth: int
    max_tokens: int
    max_fields: int
    max_aliases: int
    max_repeats: int
    max_cost: int
    largest_page: int
    dev_tools: bool

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_depth=settings.GRAPHQL_MAX_DEPTH,
            max_tokens=settings.GRAPHQL_MAX_TOKENS,
            max_fields=settings.GRAPHQL_MAX_FIELDS,
            max_aliases=settings.GRAPHQL_MAX_ALIASES,
            max_repeats=settings.GRAPHQL_MAX_REPEATED_FIELDS,
            max_cost=settings.GRAPHQL_MAX_COST,
            largest_page=settings.MAX_PAGE_SIZE,
            dev_tools=settings.GRAPHQL_DEV_TOOLS,
        )


# Parsing and validating a query costs about a third of a small search's time in pure
# Python, and clients send the same few query texts again and again: the checked document
# is kept per (text, limits). Executing never changes a document, so sharing one is safe.
# Only short texts are kept, in a bounded cache, so unique large queries can't fill memory.
CACHED_QUERY_CHARS = 5000


@lru_cache(maxsize=128)
def _checked_document(query: str, limits: Limits):
    return _check(query, limits)


def _check(query: str, limits: Limits):
    """(document, errors): the parsed query, or the reasons it is refused. In order, each
    step only when the one before passed: the token cap while parsing, the cost budget and
    depth, then the standard rules."""
    from config.graphql import schema

    too_long = GraphQLError(
        f"The query is longer than {limits.max_tokens} tokens (names, punctuation and "
        "values). Split it into smaller queries.",
        extensions={"code": "query_too_large"},
    )
    if _rough_token_count(query, limits.max_tokens) > limits.max_tokens:
        return None, [too_long]
    try:
        document = parse(query, max_tokens=limits.max_tokens)
    except GraphQLError as error:
        return None, [too_long if "tokens. Parsing aborted" in error.message else error]
    errors = validate(schema.graphql_schema, document, budget_rules(limits))
    if not errors:
        errors = validate(
            schema.graphql_schema, document, validation_rules(dev_tools=limits.dev_tools)
        )
    return document, errors


# GraphQL's tokens, for counting only: the parser is pure Python (about 0.02 ms a token), a
# regular expression runs in C, so a long hostile document is refused before it is parsed.
# Close enough to the parser's count; the parser's own max_tokens is the exact backstop.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|\.\.\.|[_A-Za-z][_0-9A-Za-z]*'
    r"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[!$&():=@\[\]{|}]"
)


def _rough_token_count(query: str, limit: int) -> int:
    count = 0
    for count, _ in enumerate(_TOKEN.finditer(query), start=1):  # noqa: B007
        if count > limit:
            break
    return count


def checked_document(query: str):
    limits = Limits.from_settings()
    if len(query) <= CACHED_QUERY_CHARS:
        return _checked_document(query, limits)
    return _check(query, limits)


def _error_json(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status=status
    )


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _authentication_error(exc: drf.AuthenticationFailed) -> AuthenticationError:
    detail = exc.detail if isinstance(exc.detail, dict) else {"detail": exc.detail}
    code = getattr(detail.get("detail"), "code", None) or detail.get("code")
    return AuthenticationError(str(detail["detail"]), code=str(code or "authentication_failed"))


@method_decorator(csrf_exempt, name="dispatch")  # bearer tokens only: no cookie to forge
class GraphQLView(BaseGraphQLView):
    graphiql = False
    # Our page: its scripts and styles come from our static files (graphene-django's loads
    # them from a CDN and has an inline script), so GraphiQL works offline and under a CSP.
    graphiql_template = "graphql/graphiql.html"
    # Optional cache of whole answers to anonymous queries (see `_cache_key`): an object
    # with `root_fields` (the root fields it may answer), `get(key)` and `put(key, body)`.
    response_cache = None

    def __init__(self, *, response_cache=None, **kwargs):
        super().__init__(**kwargs)
        self.response_cache = response_cache

    def render_graphiql(self, request, **data):
        """The GraphiQL page (development only) under the project's CSP: scripts from this
        host only (its assets are served from /static/, never a CDN; an inline script needs
        the request's nonce), plus what the editor itself needs (GRAPHIQL_CSP)."""
        page = csp_update(GRAPHIQL_CSP)(
            lambda request: render(request, self.graphiql_template, {"endpoint": request.path})
        )
        return page(request)

    def dispatch(self, request, *args, **kwargs):
        current_tenant()  # fail closed: a marketplace host only
        self.graphiql = settings.GRAPHQL_DEV_TOOLS
        if (
            # The declared length first: reading a body over Django's upload limit raises,
            # and the generic JSON 400 it leads to is not a GraphQL answer.
            _declared_length(request) > settings.GRAPHQL_MAX_QUERY_BYTES
            or len(request.body or b"") > settings.GRAPHQL_MAX_QUERY_BYTES
            or len(request.GET.get("query", "")) > settings.GRAPHQL_MAX_QUERY_BYTES
        ):
            return _error_json(
                "query_too_large",
                f"The request is larger than {settings.GRAPHQL_MAX_QUERY_BYTES} bytes.",
                413,
            )
        # Only the bearer token counts, never a session cookie. A token that fails (expired,
        # or issued by another marketplace) leaves the request anonymous and is the error
        # every field needing a login answers with; logging in again still works with it.
        request.user, request.graphql_auth_error = AnonymousUser(), None
        try:
            authenticated = TenantJWTAuthentication().authenticate(request)
        except drf.AuthenticationFailed as exc:
            request.graphql_auth_error = _authentication_error(exc)
        else:
            if authenticated:
                request.user = authenticated[0]
        response = super().dispatch(request, *args, **kwargs)
        if response.get("Content-Type", "").startswith("application/json"):
            # graphene's dispatch sets a CSRF cookie (for its GraphiQL page); a JSON answer
            # needs none: this view is CSRF-exempt and reads bearer tokens only.
            response.cookies.pop(settings.CSRF_COOKIE_NAME, None)
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        return response

    def parse_body(self, request):
        if self.get_content_type(request) == "application/json":
            try:
                check_json_depth(request.body)
            except JSONTooDeep as exc:
                raise HttpError(HttpResponseBadRequest(str(exc))) from exc
        return super().parse_body(request)

    def get_response(self, request, data, show_graphiql=False):
        key = self._cache_key(request, data) if self.response_cache is not None else None
        if key is not None and (body := self.response_cache.get(key)) is not None:
            return body, 200
        body, status = super().get_response(request, data, show_graphiql)
        if key is not None and status == 200 and body and '"errors"' not in body:
            self.response_cache.put(key, body)
        return body, status

    def _cache_key(self, request, data) -> dict | None:
        """A key when the whole answer may be cached: an anonymous caller (no token at all),
        a query whose root fields are all ones the cache may answer; None otherwise."""
        if request.user.is_authenticated or "HTTP_AUTHORIZATION" in request.META:
            return None
        query, variables, operation_name, _ = self.get_graphql_params(request, data)
        if not query or len(query) > CACHED_QUERY_CHARS:
            return None
        document, errors = checked_document(query)
        operation = get_operation_ast(document, operation_name) if document else None
        if errors or operation is None or operation.operation != OperationType.QUERY:
            return None
        selections = operation.selection_set.selections
        if not all(
            isinstance(node, FieldNode) and node.name.value in self.response_cache.root_fields
            for node in selections
        ):
            return None
        return {
            "query": query,
            "variables": variables or {},
            "operation": operation_name,
            "pretty": bool(request.GET.get("pretty")),  # the answer's formatting
        }

    def execute_graphql_request(
        self, request, data, query, variables, operation_name, show_graphiql=False
    ):
        """graphene-django's, with the checked document taken from the cache. Mutations
        run outside any request-wide transaction: each service owns its own."""
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest("Must provide query string."))
        document, errors = checked_document(query)
        if errors:
            return ExecutionResult(data=None, errors=errors)
        operation = get_operation_ast(document, operation_name)
        if request.method == "GET" and operation and operation.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            raise HttpError(
                HttpResponseNotAllowed(["POST"], "Mutations are sent with POST requests.")
            )
        try:
            return execute(
                self.schema.graphql_schema,
                document,
                root_value=self.get_root_value(request),
                context_value=self.get_context(request),
                variable_values=variables,
                operation_name=operation_name,
                middleware=self.get_middleware(request),
            )
        except Exception as error:  # noqa: BLE001  (formatted, and logged, by format_error)
            return ExecutionResult(errors=[error])

    @staticmethod
    def format_error(error):
        original = getattr(error, "original_error", None)
        formatted = error.formatted if isinstance(error, GraphQLError) else {"message": str(error)}
        if isinstance(original, ApplicationError):
            formatted["message"] = original.message
            # Field names in GraphQL's casing, whichever layer named them (services use
            # snake_case, as REST shows them).
            fields = {
                (graphql_field_name(name) or "non_field_errors"): messages
                for name, messages in original.fields.items()
            }
            formatted["extensions"] = {"code": original.code, "fields": fields}
        elif original is not None and not isinstance(original, GraphQLError):
            logger.error("GraphQL resolver failed", exc_info=original)
            formatted["message"] = SERVER_ERROR
            formatted["extensions"] = {"code": "server_error"}
        elif isinstance(error, HttpError):  # a malformed request: say what is wrong with it
            formatted = {"message": str(error), "extensions": {"code": "bad_request"}}
        elif not isinstance(error, GraphQLError):
            logger.error("GraphQL request failed: %r", error)
            formatted = {"message": SERVER_ERROR, "extensions": {"code": "server_error"}}
        return formatted
