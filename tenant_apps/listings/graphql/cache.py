"""Whole GraphQL answers to anonymous reads of published listings, cached like REST's
search, detail and calendar answers: per marketplace, under the listings version that every
listing, booking and review write bumps."""

from __future__ import annotations

from typing import Any

from tenant_apps.listings.cache import cache_get, cache_put


class PublicListingAnswers:
    # Root fields whose answers, to an anonymous caller, change only with listing data.
    root_fields = frozenset({"properties", "property", "propertyReviews", "__typename"})

    def get(self, key: dict[str, Any]) -> str | None:
        return cache_get("graphql", key)

    def put(self, key: dict[str, Any], body: str) -> None:
        cache_put("graphql", key, body)
