"""Cursor pages for the REST lists, with the same page-size rule as GraphQL's `PageSize`:
1 to settings.MAX_PAGE_SIZE, anything else a 400 naming `page_size` (DRF would quietly
cap or ignore it, so a client asking for 500 would believe it had everything)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions as drf
from rest_framework.pagination import CursorPagination

from shared_apps.core.errors import ApplicationError

PAGE_SIZE_CODE = "invalid_page_size"  # the same code in GraphQL's PageSize


def page_size_problem(value) -> str | None:
    """Why `value` is not a page size, or None. One wording for both APIs."""
    limit = settings.MAX_PAGE_SIZE
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        return f"A page holds 1 to {limit} items; {value!r} was asked for."
    return None


class StrictCursorPagination(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:  # read per request, so test settings can lower it
        return settings.MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            value = int(raw)
        except ValueError:
            value = raw
        if (problem := page_size_problem(value)) is not None:
            raise ApplicationError(
                problem, code=PAGE_SIZE_CODE, fields={self.page_size_query_param: [problem]}
            )
        return value

    def decode_cursor(self, request):
        # DRF answers a cursor it can't read with a 404; it is bad input, as in GraphQL.
        try:
            return super().decode_cursor(request)
        except drf.NotFound as exc:
            message = "This cursor is not one we gave out. Start again from the first page."
            raise ApplicationError(
                message, code="invalid_cursor", fields={self.cursor_query_param: [message]}
            ) from exc


class CreatedCursorPagination(StrictCursorPagination):
    """Newest first, stable under inserts: cursor pages never skip or repeat rows."""

    ordering = ("-created", "-id")


def page_parameters() -> list[OpenApiParameter]:
    """`cursor` and `page_size`, for a paged list whose response is not a plain list (so
    drf-spectacular can't tell it is paged): documented, and so accepted (core.query)."""
    return [
        OpenApiParameter("cursor", str, description="The pagination cursor value."),
        OpenApiParameter(
            "page_size", int, description=f"Items per page, 1 to {settings.MAX_PAGE_SIZE}."
        ),
    ]
