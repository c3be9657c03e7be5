"""Whole GraphQL answers to anonymous reads of published listings, cached like REST's
search, detail and calendar answers: each with the versions of what it shows (the
resolvers declare them: tenant_apps.listings.cache.answer_depends_on), so a booking
invalidates only the answers showing its listing or its nights."""

from __future__ import annotations

from typing import Any

from graphql import get_operation_ast
from graphql.language import FieldNode

from shared_apps.core.graphql.view import checked_document
from tenant_apps.listings.cache import FLUSH, LEGACY, lookup_entry, pending_answer, snapshot, store


def _root_fields(key: dict[str, Any]) -> int:
    document, _ = checked_document(key["query"])
    operation = get_operation_ast(document, key["operation"])
    return sum(
        1
        for node in operation.selection_set.selections
        if isinstance(node, FieldNode) and node.name.value != "__typename"
    )


class PublicListingAnswers:
    # Root fields whose answers, to an anonymous caller, change only with listing data.
    root_fields = frozenset({"properties", "property", "propertyReviews", "__typename"})

    def get(self, key: dict[str, Any]) -> str | None:
        entry = lookup_entry("graphql", key)
        if entry is None:
            return None
        self._approve(entry["deps"])
        return entry["value"]

    def put(self, key: dict[str, Any], body: str) -> None:
        pending = pending_answer.get()
        if pending is None or not pending.storable:
            return
        deps = dict(pending.deps)
        if pending.parts < _root_fields(key):
            # A root field that declared nothing finer (reviews): any write renews it.
            deps.update(snapshot([FLUSH, LEGACY]))
        store("graphql", key, body, deps)
        self._approve(deps)

    @staticmethod
    def _approve(deps: dict[str, int]) -> None:
        pending = pending_answer.get()
        if pending is not None:
            pending.deps.update(deps)
            pending.parts = max(pending.parts, 1)
            pending.approved = True
