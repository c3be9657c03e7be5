"""Warm answers to public listing reads served as stored bytes, before URL resolution,
DRF or GraphQL run.

The last middleware of the stack, so everything before it (tenant resolution, security
headers, request ids, metrics) runs for a cached answer exactly as for a computed one, and
the stored part is only what the view itself produced: status 200, its body and headers.

Who may be served a stored answer, and what is stored, follow the views' own rules:
- only requests without an `Authorization` header (a token, valid or not, always goes
  through authentication, so a bad token is still a 401 and a host's token still sees
  their drafts); GET of `/api/v1/properties…` or POST of JSON to `/graphql/`;
- an answer is stored only when the view declared what it depends on
  (`cache.answer_depends_on`): the views do that only for published listings and public
  searches, never for a draft or a private answer, and GraphQL only for anonymous queries
  of public root fields (shared_apps.core.graphql.view);
- keys carry the schema (the cache's key function), the Host header (answers hold absolute
  links), the Accept header, the path and the sorted query string (or the GraphQL body);
- a stored answer is served only while every version key it depends on is unchanged,
  checked with it in one Redis call (cache.checked_get), or without any while this process
  holds the answer and its versions are trusted (local_answers.py, docs/decisions/0028)."""

from __future__ import annotations

import functools
import hashlib
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from tenant_apps.listings.cache import PendingAnswer, checked_get, checked_set, pending_answer

REST_PREFIX = "/api/v1/properties"
GRAPHQL_PATH = "/graphql/"


def answer_key(request: HttpRequest) -> str | None:
    """The stored answer's key, or None when this request is never answered from it."""
    if "HTTP_AUTHORIZATION" in request.META:
        return None
    if request.method == "GET" and request.path.startswith(REST_PREFIX):
        query = sorted(request.META.get("QUERY_STRING", "").split("&"))
        what = (request.path + "?" + "&".join(query)).encode()
    elif (
        request.method == "POST"
        and request.path == GRAPHQL_PATH
        and request.content_type == "application/json"
        and int(request.META.get("CONTENT_LENGTH") or 0) <= settings.GRAPHQL_MAX_QUERY_BYTES
    ):
        what = b"graphql:" + request.META.get("QUERY_STRING", "").encode() + b":" + request.body
    else:
        return None
    head = "\n".join((request.get_host(), request.META.get("HTTP_ACCEPT", ""), ""))
    return "listings:answer:" + hashlib.sha256(head.encode() + what).hexdigest()[:40]


# Stored beside an answer's headers (not a header: it is never sent).
ROUTE_KEY = "x-answered-route"


@functools.lru_cache(maxsize=256)
def _headers_of(head: bytes, rest: bool) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """A stored answer's headers as served, and the route that computed it. The few kinds
    of header line an answer can have are parsed once, not on every warm answer."""
    headers = json.loads(head)
    route = headers.pop(ROUTE_KEY, None)
    response = HttpResponse(headers=headers)
    if rest:
        # A computed REST answer reads the session (DRF's SessionAuthentication), so
        # SessionMiddleware marks it `Vary: Cookie`; the stored one says the same.
        patch_vary_headers(response, ("Cookie",))
    return tuple(response.items()), route


class ListingAnswerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.LISTINGS_CACHE or not hasattr(request, "tenant"):
            return self.get_response(request)
        key = answer_key(request)
        if key is None:
            return self.get_response(request)
        stored = checked_get(key)
        if stored is not None:
            head, body = stored.split(b"\n", 1)
            headers, route = _headers_of(head, request.path.startswith(REST_PREFIX))
            # The route that computed it, for the request metrics (no URL resolution here).
            request.answered_route = route
            return HttpResponse(body, headers=dict(headers))
        # A GraphQL answer is stored only when the GraphQL view approved it (anonymous,
        # a query of public root fields only, no errors: PublicListingAnswers.put).
        pending = PendingAnswer(needs_approval=request.path == GRAPHQL_PATH)
        token = pending_answer.set(pending)
        try:
            response = self.get_response(request)
        finally:
            pending_answer.reset(token)
        if (
            response.status_code == 200
            and pending.parts
            and pending.storable
            and pending.deps
            and (pending.approved or not pending.needs_approval)
            and not response.streaming
            and not response.cookies
        ):
            match = getattr(request, "resolver_match", None)
            route = match.route if match is not None else None
            headers = json.dumps({**dict(response.items()), ROUTE_KEY: route}).encode()
            checked_set(key, pending.deps, headers + b"\n" + response.content)
        return response
