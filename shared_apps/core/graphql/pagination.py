"""Cursor pages for GraphQL: keyset pagination over the same orderings as the REST lists.

A cursor holds the ordering values of a page's last row, so the next page starts right after
it: stable under inserts (nothing skipped or repeated), one indexed range scan per page."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import graphene
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet

from shared_apps.core.errors import ApplicationError


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _encode(values: list) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise _bad_cursor() from exc
    if not isinstance(values, list) or len(values) != size:
        raise _bad_cursor()
    if any(not isinstance(v, str | int | float | type(None)) or v is True or v is False
           for v in values):  # fmt: skip
        raise _bad_cursor()
    return values


def _bad_cursor() -> ApplicationError:
    return ApplicationError(
        "This cursor is not one we gave out. Start again from the first page.",
        code="invalid_cursor",
        fields={"after": ["Invalid cursor."]},
    )


def _after(ordering: tuple[str, ...], values: list) -> Q:
    """Rows strictly after `values` in `ordering` (PostgreSQL puts NULLs last ascending,
    first descending)."""
    condition = Q(pk__in=[])
    equal_so_far = Q()
    for term, value in zip(ordering, values, strict=True):
        name = term.lstrip("-")
        descending = term.startswith("-")
        if value is None:
            beyond = Q(**{f"{name}__isnull": False}) if descending else Q(pk__in=[])
            same = Q(**{f"{name}__isnull": True})
        else:
            beyond = Q(**{f"{name}__lt" if descending else f"{name}__gt": value})
            if not descending:
                beyond |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        condition |= equal_so_far & beyond
        equal_so_far &= same
    return condition


def keyset_page(
    queryset: QuerySet, *, ordering: tuple[str, ...], first: int, after: str | None
) -> Page:
    """One page of `queryset` in `ordering` (which must end with a unique column)."""
    if after:
        try:
            queryset = queryset.filter(_after(ordering, _decode(after, len(ordering))))
        except (ValueError, TypeError, DjangoValidationError) as exc:  # wrong types for columns
            raise _bad_cursor() from exc
    rows = list(queryset.order_by(*ordering)[: first + 1])
    items, more = rows[:first], len(rows) > first
    cursor = None
    if more and items:
        last = items[-1]
        cursor = _encode([getattr(last, term.lstrip("-")) for term in ordering])
    return Page(items=items, next_cursor=cursor)


def page_type(item_type, name: str) -> type[graphene.ObjectType]:
    """`<Name>Page { items, nextCursor }`: one page and where the next one starts."""
    return type(
        name,
        (graphene.ObjectType,),
        {
            "items": graphene.List(graphene.NonNull(item_type), required=True),
            "next_cursor": graphene.String(description="Pass as `after` for the next page."),
        },
    )
