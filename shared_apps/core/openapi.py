"""OpenAPI: every operation documents the errors it can answer with, in the one format."""

from __future__ import annotations

from shared_apps.core.errors import all_error_codes

ERROR_COMPONENT = {
    "type": "object",
    "description": "Every error: a stable machine code, a message for people, and the "
    "fields at fault (each with its messages).",
    "properties": {
        "code": {"$ref": "#/components/schemas/ErrorCode"},
        "message": {"type": "string", "example": "Please correct these fields: email."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "message", "fields"],
}

ERRORS = {
    "400": "Bad input: the message says what to fix, `fields` names each field at fault.",
    "401": "Not logged in, or a token issued by another host.",
    "403": "Logged in, but not allowed to do this here.",
    "404": "No such thing here (also what another person's private rows look like).",
    "409": "Conflicts with the current state (taken, overlapping, wrong state).",
    "429": "Too many requests; retry after the Retry-After header's seconds.",
}
READ_ONLY_ERRORS = ("400", "401", "403", "404", "429")


def error_code_component() -> dict:
    """Every code an error may carry (each app's `errors.py`), so clients can switch on them."""
    codes = all_error_codes()
    return {
        "type": "string",
        "enum": list(codes),
        "description": "A stable machine code:\n\n"
        + "\n".join(f"* `{code}` - {label}" for code, label in codes.items()),
    }


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: adds the error responses to every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_COMPONENT
    schemas["ErrorCode"] = error_code_component()
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            codes = READ_ONLY_ERRORS if method == "get" else tuple(ERRORS)
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": ERRORS[code], "content": reference})
    return result
