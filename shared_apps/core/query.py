"""Query strings: a parameter an endpoint doesn't document is a 400 naming it, never silently
ignored (`?pagesize=5` or `?chek_in=…` must not look like a filter that matched everything).

The parameters an operation takes are read from the same declarations drf-spectacular
publishes in the OpenAPI document (the `parameters=` of `@extend_schema`, and the
paginator's `cursor` and `page_size` on list operations), so the document and the check
cannot disagree; tests/test_api_contract.py compares them for every operation."""

from __future__ import annotations

from drf_spectacular.plumbing import force_instance, is_basic_serializer
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions as drf

UNKNOWN_PARAMETER = "This endpoint does not take this query parameter."


def documented_query_parameters(view, method: str) -> frozenset[str]:
    """The query parameters `view` documents for `method` (upper case)."""
    return _documented(type(view), method, view)


# Per view class and method: the declarations are class-level, so they never change while
# the process runs (and reading them costs a schema inspection we don't want per request).
_CACHE: dict[tuple[type, str], frozenset[str]] = {}


def _documented(view_class: type, method: str, view) -> frozenset[str]:
    key = (view_class, method)
    if key not in _CACHE:
        _CACHE[key] = _inspect(view, method)
    return _CACHE[key]


def _inspect(view, method: str) -> frozenset[str]:
    handler = getattr(view, method.lower(), None)
    schema_class = getattr(handler, "kwargs", {}).get("schema")
    if schema_class is None:
        return frozenset()
    schema = schema_class()
    schema.view = view
    schema.method = method
    schema.path = ""  # only read to tell a detail from a list, which the responses tell us
    names: set[str] = set()
    for parameter in schema.get_override_parameters():
        if isinstance(parameter, OpenApiParameter):
            if parameter.location == OpenApiParameter.QUERY and not parameter.exclude:
                names.add(parameter.name)
        elif is_basic_serializer(parameter):
            names.update(force_instance(parameter).fields)
    if method == "GET" and getattr(view, "pagination_class", None) and schema._is_list_view():
        names.update(p["name"] for p in view.paginator.get_schema_operation_parameters(view))
    return frozenset(names)


class StrictQueryMixin:
    """For every API view: refuses undocumented query parameters with a 400 naming each,
    and a page size out of range (core.pagination).
    Runs after authentication and permissions, so a caller who may not use the endpoint
    still gets the 401/403 first."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        allowed = documented_query_parameters(self, request.method)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise drf.ValidationError({name: [UNKNOWN_PARAMETER] for name in unknown})
        if "page_size" in allowed and "page_size" in request.query_params:
            # Before any lookup, so a bad page size is a 400 whatever else the request names.
            self.paginator.get_page_size(request)
