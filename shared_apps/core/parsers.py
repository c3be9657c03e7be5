"""JSON with a nesting limit, for every JSON body we read (REST, GraphQL, webhooks).

Python's decoder recurses once per level, so `[` x 9000 (18 KB) raised RecursionError (a 500
with a traceback) before any view ran. No document we accept nests beyond a handful of
levels; deeper is refused as bad input before decoding."""

from __future__ import annotations

import io
import json
import re

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32
TOO_DEEP_MESSAGE = f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted."

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


class JSONTooDeep(ValueError):
    pass


def check_json_depth(raw: bytes | str, *, limit: int = MAX_JSON_DEPTH) -> None:
    """Raises JSONTooDeep when arrays/objects in `raw` nest deeper than `limit` (brackets
    inside strings don't count). Linear, no recursion."""
    if isinstance(raw, str):
        raw = raw.encode()
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return  # cannot be deeper: the common case costs two counts
    depth = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub(b"", raw)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                raise JSONTooDeep(TOO_DEEP_MESSAGE)
        else:
            depth -= 1


def loads(raw: bytes | str):
    """json.loads with the depth limit (JSONTooDeep is a ValueError, like bad JSON)."""
    check_json_depth(raw)
    return json.loads(raw)


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing excessive nesting with a 400 instead of a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            check_json_depth(raw)
        except JSONTooDeep as exc:
            raise ParseError(str(exc)) from exc
        return super().parse(io.BytesIO(raw), media_type, parser_context)
