"""Rate limits that survive a Redis outage by a deliberate choice per scope.

The "default" cache turns Redis errors into misses (reads keep answering from the
database). Throttles use their own alias, "throttles", which raises instead, so a limit
never silently becomes no limit: scopes guarding credentials (login, sign-up, password
reset) fail closed with a 503 and Retry-After (an outage must not hand out unlimited
password guesses); the others (booking creation) fail open."""

from __future__ import annotations

import logging

from django.core.cache import caches
from rest_framework.throttling import ScopedRateThrottle

from shared_apps.core import degraded
from shared_apps.core.errors import ApplicationError

logger = logging.getLogger(__name__)

FAIL_CLOSED_SCOPES = frozenset({"login", "signup", "password"})
RETRY_AFTER_SECONDS = 30


class ResilientScopedRateThrottle(ScopedRateThrottle):
    @property
    def cache(self):
        return caches["throttles"]

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as error:  # the throttles' Redis is unreachable
            refused = self.scope in FAIL_CLOSED_SCOPES
            degraded.note_throttle_unavailable(logger, error, refused=refused)
            if refused:
                raise ApplicationError(
                    "Signing in is briefly unavailable. Try again in "
                    f"{RETRY_AFTER_SECONDS} seconds.",
                    code="temporarily_unavailable",
                    status=503,
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                ) from error
            return True
