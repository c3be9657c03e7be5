"""Warm listing answers held by each process, served without a Redis round trip
(docs/decisions/0028-process-held-listing-answers.md).

The Redis call that checks a stored answer is most of what a warm answer costs. Each process
therefore keeps the answers it served lately with the version values they depend on, and
the version values it read lately. A held answer is served without Redis while every one of
its versions is trusted and unchanged; otherwise the untrusted ones are read again in one
MGET first. A version value is trusted:

- while it is younger than LISTINGS_VERSION_TRUST_MS (50 ms by default), always;
- for up to PUSHED_TRUST_SECONDS while this process listens to the bump notices: every
  `_bump` publishes the keys it incremented on one channel, and a listener thread drops
  them here as they arrive. A value read while a notice arrived is only trusted briefly,
  so a notice can't slip between a read and its recording.

A write in another process is thus unseen here for as long as its notice takes to arrive
(or at most 50 ms when nobody listens); a write in this process is seen at once. 0 turns
the whole thing off (every warm answer is checked in Redis)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

PUSHED_TRUST_SECONDS = 60.0
MAX_VERSIONS = 50_000


def enabled() -> bool:
    return settings.LISTINGS_VERSION_TRUST_MS > 0


def notice_channel() -> str:
    """One channel per cache key prefix (a deployment, a test run), for every marketplace."""
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:listings:bumped"


def _redis_location() -> str:
    return str(settings.CACHES["default"]["LOCATION"])


class LocalAnswers:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        # full answer key -> ({full version key: value}, payload), least recently used first
        self.answers: OrderedDict[str, tuple[dict[str, bytes], bytes]] = OrderedDict()
        # full version key -> (value, read at, covered by the notices)
        self.versions: dict[str, tuple[bytes, float, bool]] = {}
        self.notices = 0  # notices received (and listener restarts): a read spans none
        self.listening_to: str | None = None  # the Redis whose notices arrive here
        self._listener: tuple[int, str] | None = None  # (pid, Redis) of the running thread

    # --- versions ---------------------------------------------------------------------

    def notices_now(self) -> int:
        return self.notices

    def versions_read(self, values: dict[str, bytes], notices_before: int) -> None:
        """Records values read from Redis (or just written by this process) after
        `notices_before` notices had arrived."""
        now = time.monotonic()
        with self.lock:
            pushed = self.listening_to == _redis_location() and notices_before == self.notices
            if len(self.versions) > MAX_VERSIONS:
                self.versions.clear()
            self.versions.update((key, (value, now, pushed)) for key, value in values.items())

    def forget_versions(self) -> None:
        with self.lock:
            self.versions.clear()
            self.notices += 1

    def _stale(self, deps: dict[str, bytes], now: float) -> list[str]:
        """The versions of `deps` not trusted now (called with the lock held)."""
        short = now - settings.LISTINGS_VERSION_TRUST_MS / 1000
        pushed = now - PUSHED_TRUST_SECONDS if self.listening_to == _redis_location() else short
        stale = []
        for key in deps:
            seen = self.versions.get(key)
            if seen is None or seen[1] < (pushed if seen[2] else short):
                stale.append(key)
        return stale

    # --- answers ----------------------------------------------------------------------

    def keep(self, key: str, deps: dict[str, bytes], payload: bytes) -> None:
        with self.lock:
            self.answers[key] = (deps, payload)
            self.answers.move_to_end(key)
            while len(self.answers) > settings.LISTINGS_LOCAL_ANSWERS:
                self.answers.popitem(last=False)

    def forget_answers(self) -> None:
        with self.lock:
            self.answers.clear()

    def get(self, key: str, read_versions: Callable[[list[str]], list]) -> bytes | None:
        """The payload held for `key` if its versions still match (untrusted ones are read
        again through `read_versions`), else None (and the held answer dropped)."""
        self.ensure_listening()
        with self.lock:
            held = self.answers.get(key)
            if held is None:
                return None
            self.answers.move_to_end(key)
            deps, payload = held
            stale = self._stale(deps, time.monotonic())
            values = {k: self.versions[k][0] for k in deps if k not in stale}
            notices = self.notices
        if stale:
            fresh = dict(zip(stale, read_versions(stale), strict=True))
            self.versions_read(fresh, notices)
            values.update(fresh)
        if values == deps:
            return payload
        with self.lock:
            self.answers.pop(key, None)
        return None

    # --- the notices ------------------------------------------------------------------

    def ensure_listening(self) -> None:
        """Starts this process's listener thread (again after a fork, or when the cache
        has moved to another Redis)."""
        wanted = (os.getpid(), _redis_location())
        if self._listener == wanted:
            return
        with self.lock:
            if self._listener == wanted:
                return
            self._listener = wanted
            self.listening_to = None
            self.notices += 1
        threading.Thread(
            target=self._listen, args=(wanted,), name="listings-notices", daemon=True
        ).start()

    def _listen(self, wanted: tuple[int, str]) -> None:
        while self._listener == wanted:
            pubsub = None
            try:
                pubsub = cache.client.get_client(write=False).pubsub()
                pubsub.subscribe(notice_channel())
                while self._listener == wanted:
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        with self.lock:
                            self.listening_to = wanted[1]
                    elif message["type"] == "message":
                        keys = message["data"].decode().split(" ")
                        with self.lock:
                            self.notices += 1
                            for version_key in keys:
                                self.versions.pop(version_key, None)
            except Exception:  # Redis down: only the short trust window applies meanwhile
                logger.warning("listings cache: bump notices unreadable", exc_info=True)
            finally:
                with self.lock:
                    if self._listener == wanted:
                        self.listening_to = None
                    self.notices += 1
                if pubsub is not None:
                    pubsub.close()
            if self._listener == wanted:
                time.sleep(1.0)


local_answers = LocalAnswers()
