"""Read-heavy listing answers cached per marketplace, each checked against the version keys
of exactly what it shows.

An entry is stored with a snapshot of the version keys it depends on ("deps"), read before
the answer was computed; a reader serves it only while every one of those keys still has the
value in the snapshot. Writes bump the keys of what they change, so the grain is:

- `listing:<id>`: that listing's detail and calendar, and the date searches whose page shows
  it. Every write about one listing bumps it (edit, photo, review, booking, block).
- `catalog`: every search (bumped by listing content writes: a new, edited, published or
  unlisted listing, a rating, can move it into or out of any search).
- `day:<date>`: the date searches covering that night. Bumped when nights are given back (a
  cancelled, declined or expired stay, a removed block): a listing may then appear in
  searches whose pages never showed it. Taking nights (a booking, a block) can only remove
  a listing from the searches showing it, so it bumps the listing's key, not the days.
- `holds`: bumped before the listing's key on every taking of nights, so a date search
  that read the page's listing keys after its query can tell a booking slipped in between
  (it then doesn't store its answer).
- `flush`: everything (`bump_listings_version()`).
- `legacy`: bumped by every write, for entries that declare nothing finer (storefront
  fragments): the old one-version behaviour.

Keys are made by the cache's key function, which adds the schema name, so each marketplace
has its own versions and entries. A version key that is missing when read is created with a
random value, so an evicted key can never come back as an old value."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache

from tenant_apps.listings import local_answers as held
from tenant_apps.listings.local_answers import local_answers

logger = logging.getLogger(__name__)

TTL_SECONDS = 300
FLUSH = "listings:v:flush"
LEGACY = "listings:v:all"
CATALOG = "listings:v:catalog"
HOLDS = "listings:v:holds"
# A release of nights longer than this bumps the catalog instead of one key per night.
MAX_DAY_KEYS = 62


def listing_key(property_id) -> str:
    return f"listings:v:p:{property_id}"


def day_keys(start: date, end: date) -> list[str]:
    """The version keys of the nights of [start, end)."""
    nights = (end - start).days
    return [f"listings:v:d:{(start + timedelta(days=n)).isoformat()}" for n in range(nights)]


# --- Versions --------------------------------------------------------------------------


def snapshot(keys: Iterable[str]) -> dict[str, int]:
    """The current value of each version key (one MGET; missing ones created), or {} when
    they can't be read (Redis down): then nothing computed now may be cached."""
    keys = list(dict.fromkeys(keys))
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            if not cache.add(key, secrets.randbelow(2**62) + 1, timeout=None) and not found:
                return {}  # nothing read, nothing written: Redis is unreachable
        found.update(cache.get_many(missing))
    return found if len(found) == len(keys) else {}


def _bump(keys: Iterable[str]) -> None:
    """Increments the keys in order, in one round trip (a missing key becomes 1, which no
    snapshot holds: snapshots create missing keys with a large random value), and tells
    every process holding answers which versions moved (local_answers.py)."""
    keys = list(keys)
    full_keys = [cache.make_key(key) for key in keys]
    notices = local_answers.notices_now()
    try:
        client = cache.client.get_client(write=True)
        pipe = client.pipeline(transaction=False)
        for key in full_keys:
            pipe.incr(key)
        pipe.publish(held.notice_channel(), " ".join(full_keys))
        *values, _listeners = pipe.execute()
    except Exception:  # Redis down: no answer is served from it either (degraded mode)
        logger.warning("listings cache: could not bump %s", keys, exc_info=True)
        local_answers.forget_versions()
        return
    # This process never serves what it has just made stale.
    new_values = (str(value).encode() for value in values)
    local_answers.versions_read(dict(zip(full_keys, new_values, strict=True)), notices)


def bump_listings_version() -> None:
    """Every cached listing answer of this marketplace is stale."""
    _bump([FLUSH])


def listing_changed(property_id) -> None:
    """A listing's content changed (it may enter or leave any search)."""
    _bump([LEGACY, CATALOG, listing_key(property_id)])


def listing_nights_taken(property_id) -> None:
    """A stay or a block took nights of the listing."""
    _bump([LEGACY, HOLDS, listing_key(property_id)])


def listing_nights_released(property_id, start: date, end: date) -> None:
    """Nights [start, end) of the listing are free again."""
    days = day_keys(start, end)
    if len(days) > MAX_DAY_KEYS:
        days = [CATALOG]
    _bump([LEGACY, listing_key(property_id), *days])


def listing_touched(property_id) -> None:
    """Something shown with one listing only changed (a booking's state, a review reply)."""
    _bump([LEGACY, listing_key(property_id)])


# --- Answers depending on versions ------------------------------------------------------


def valid(deps: dict[str, int]) -> bool:
    return bool(deps) and cache.get_many(list(deps)) == deps


def _key(kind: str, params: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    return f"listings:{kind}:{digest[:32]}"


def _deps_of(kind: str, params: dict[str, Any]) -> list[str]:
    if kind in ("detail", "calendar") and "id" in params:
        return [FLUSH, listing_key(params["id"])]
    return [FLUSH, LEGACY]


def lookup_entry(kind: str, params: dict[str, Any]) -> dict | None:
    """{"deps", "value"} if every version the value depends on is unchanged; else None."""
    if not settings.LISTINGS_CACHE:
        return None
    entry = cache.get(_key(kind, params))
    if entry is None or not valid(entry["deps"]):
        return None
    return entry


def lookup(kind: str, params: dict[str, Any]) -> Any:
    """The cached value, if every version it depends on is unchanged; else None."""
    entry = lookup_entry(kind, params)
    return None if entry is None else entry["value"]


def store(kind: str, params: dict[str, Any], value: Any, deps: dict[str, int]) -> None:
    if settings.LISTINGS_CACHE and deps and None not in deps.values():
        cache.set(_key(kind, params), {"deps": deps, "value": value}, TTL_SECONDS)


def cache_get(kind: str, params: dict[str, Any]) -> Any:
    """For callers that don't declare what an answer depends on: detail and calendar
    entries (params with an `id`) follow their listing, anything else every write."""
    return lookup(kind, params)


def cache_put(kind: str, params: dict[str, Any], value: Any) -> None:
    if settings.LISTINGS_CACHE:
        store(kind, params, value, snapshot(_deps_of(kind, params)))


def cached(kind: str, params: dict[str, Any], compute: Callable[[], Any]) -> Any:
    value = lookup(kind, params)
    if value is None:
        deps = snapshot(_deps_of(kind, params)) if settings.LISTINGS_CACHE else {}
        value = compute()
        store(kind, params, value, deps)
    return value


# --- Whole answers of a request (stored as bytes by ListingAnswerMiddleware) -------------


@dataclass
class PendingAnswer:
    """What the request's answer depends on, filled in by the views as they compute it.
    `storable` turns False when a part can't be cached (then nothing is stored)."""

    deps: dict[str, int] = field(default_factory=dict)
    parts: int = 0
    storable: bool = True
    needs_approval: bool = False
    approved: bool = False

    def add(self, deps: dict[str, int] | None) -> None:
        self.parts += 1
        if deps is None:
            self.storable = False
        else:
            self.deps.update(deps)


pending_answer: ContextVar[PendingAnswer | None] = ContextVar("pending_answer", default=None)


def answer_depends_on(deps: dict[str, int] | None) -> None:
    """Declares that the current request's answer shows data under `deps` (a snapshot taken
    before reading it), or None (or {}): this answer must not be cached."""
    pending = pending_answer.get()
    if pending is not None:
        pending.add(deps or None)


def answer_not_cacheable() -> None:
    answer_depends_on(None)


def detail_deps(property_id) -> dict[str, int]:
    """The versions one listing's answers depend on ({} with the cache off: no Redis call)."""
    return snapshot([FLUSH, listing_key(property_id)]) if settings.LISTINGS_CACHE else {}


class SearchDeps:
    """The versions a search page depends on. Read `before()` the query; `after(ids)` with
    the page's listings returns the whole snapshot, or None when a booking or block took
    nights in between (the page may show a listing that is no longer free)."""

    def __init__(self, check_in: date | None, check_out: date | None) -> None:
        self.dated = check_in is not None and check_out is not None
        keys = [FLUSH, CATALOG]
        if self.dated:
            keys += [HOLDS, *day_keys(check_in, check_out)]
        self.deps = snapshot(keys) if settings.LISTINGS_CACHE else {}

    def after(self, ids: Iterable) -> dict[str, int] | None:
        if not settings.LISTINGS_CACHE or not self.deps:
            return None
        if not self.dated:
            return self.deps
        page = snapshot([HOLDS, *(listing_key(pk) for pk in ids)])
        if page.pop(HOLDS, None) != self.deps[HOLDS]:
            return None
        # HOLDS itself is not a dependency: a booking elsewhere changes nothing here.
        return {key: value for key, value in {**self.deps, **page}.items() if key != HOLDS}


def stay_changed(
    *, property_id, check_in: date, check_out: date, held_before: bool, held_after: bool
) -> None:
    """A stay of the listing was made or changed state: it took its nights, gave them back,
    or (confirmed, paid) changed only what that listing's own answers show."""
    if held_after and not held_before:
        listing_nights_taken(property_id)
    elif held_before and not held_after:
        listing_nights_released(property_id, check_in, check_out)
    else:
        listing_touched(property_id)


# --- Stored answers checked in one round trip -------------------------------------------
#
# A warm answer costs at most one Redis call: a script reads the entry, reads the versions
# its header names and returns the entry only if they all still match. The entry is stored
# raw (not pickled): a JSON header line {"k": [full version keys], "v": [their values]},
# then the payload. Each process also keeps the answers it served lately (local_answers.py).

_CHECKED_GET = """
local entry = redis.call('GET', KEYS[1])
if not entry then return false end
local cut = string.find(entry, '\\n', 1, true)
local header = cjson.decode(string.sub(entry, 1, cut - 1))
local current = redis.call('MGET', unpack(header['k']))
for i, value in ipairs(header['v']) do
  if current[i] ~= value then return false end
end
return entry
"""
_script: list = []


def checked_get(key: str) -> bytes | None:
    """The payload stored under `key` if every version it depends on is unchanged."""
    full_key = cache.make_key(key)
    notices = local_answers.notices_now()
    try:
        if held.enabled():
            payload = local_answers.get(
                full_key, lambda keys: cache.client.get_client(write=False).mget(keys)
            )
            if payload is not None:
                return payload
        client = cache.client.get_client(write=False)
        if not _script:
            _script.append(client.register_script(_CHECKED_GET))
        entry = _script[0](keys=[full_key], client=client)
    except Exception:  # Redis down: a miss (the view answers from the database)
        logger.warning("listings cache: stored answer unreadable", exc_info=True)
        return None
    if not entry:
        return None
    head, payload = entry.split(b"\n", 1)
    if held.enabled():
        header = json.loads(head)
        deps = dict(zip(header["k"], (v.encode() for v in header["v"]), strict=True))
        local_answers.versions_read(deps, notices)  # just checked by the script
        local_answers.keep(full_key, deps, payload)
    return payload


def checked_set(key: str, deps: dict[str, int], payload: bytes) -> None:
    header = {"k": [cache.make_key(k) for k in deps], "v": [str(v) for v in deps.values()]}
    try:
        client = cache.client.get_client(write=True)
        client.set(
            cache.make_key(key), json.dumps(header).encode() + b"\n" + payload, ex=TTL_SECONDS
        )
    except Exception:
        logger.warning("listings cache: answer not stored", exc_info=True)
