"""Test settings: the real PostgreSQL and Redis, emails kept in memory."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import CACHES, REST_FRAMEWORK, env

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Each run (and each xdist worker) gets its own key prefix on the shared Redis, so parallel
# runs never read each other's entries and the conftest can remove exactly its own keys.
CACHES["default"]["KEY_PREFIX"] = env(
    "CACHE_KEY_PREFIX", default=f"test-{os.getpid()}-{os.environ.get('PYTEST_XDIST_WORKER', 'm')}"
)
# Tests that are not about throttling must not trip it; the throttle tests lower these.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "login": "1000/min",
    "signup": "1000/min",
    "password": "1000/min",
}
