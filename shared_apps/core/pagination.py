from rest_framework.pagination import CursorPagination


class CreatedCursorPagination(CursorPagination):
    """Newest first, stable under inserts: cursor pages never skip or repeat rows."""

    ordering = ("-created", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
