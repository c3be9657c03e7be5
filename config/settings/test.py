"""Test settings: the real PostgreSQL and Redis, emails kept in memory."""

import os
import tempfile

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    CACHES,
    CELERY_BROKER_TRANSPORT_OPTIONS,
    REST_FRAMEWORK,
    env,
)

DEBUG = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Each run (and each xdist worker) gets its own key prefix on the shared Redis, so parallel
# runs never read each other's entries and the conftest can remove exactly its own keys.
CACHES["default"]["KEY_PREFIX"] = env(
    "CACHE_KEY_PREFIX", default=f"test-{os.getpid()}-{os.environ.get('PYTEST_XDIST_WORKER', 'm')}"
)
CACHES["throttles"]["KEY_PREFIX"] = CACHES["default"]["KEY_PREFIX"]
# Tests that are not about throttling must not trip it; the throttle tests lower these.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "login": "1000/min",
    "signup": "1000/min",
    "password": "1000/min",
    "booking": "10000/min",
}

# This run's queues, results and worker heartbeats live under their own Redis prefix, so a
# worker of `make run` on the same Redis never takes a test's task (and the reverse).
CELERY_KEY_PREFIX = env("CELERY_KEY_PREFIX", default=f"{CACHES['default']['KEY_PREFIX']}:")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "global_keyprefix": CELERY_KEY_PREFIX,
    # A task held by a killed worker comes back within seconds, not minutes.
    "visibility_timeout": 4,
    "unacked_restore_interval": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": CELERY_KEY_PREFIX}
QUEUE_SYNC_SECONDS = env.int("QUEUE_SYNC_SECONDS", default=2)
QUEUE_DISCOVERY_SECONDS = env.float("QUEUE_DISCOVERY_SECONDS", default=0.2)
QUEUE_IDLE_SECONDS = 3
QUEUE_SWEEP_SECONDS = env.float("QUEUE_SWEEP_SECONDS", default=1)

# Warm listing answers are checked in Redis every time, so a write made by a worker process
# is seen by the test's next read at once; tests/test_listing_local_answers.py turns the
# process-local trust window on for itself.
LISTINGS_VERSION_TRUST_MS = 0

# Uploaded files of a test run go to a throw-away folder, never into the repository.
MEDIA_ROOT = env("MEDIA_ROOT", default=tempfile.mkdtemp(prefix="rental-test-media-"))
# Archives written when a test deletes a marketplace go with the run's other files.
TENANT_ARCHIVE_DIR = os.path.join(MEDIA_ROOT, "archives")
SCHEMA_POOL_SIZE = 2

# Tests never reach a payment provider: unless a test points these at its local fake, any
# provider call fails at once (connection refused) instead of going to the internet.
PAYMENTS_STRIPE_API_BASE = "http://127.0.0.1:9"
PAYMENTS_PAYSTACK_API_BASE = "http://127.0.0.1:9"
PAYMENTS_NETWORK_RETRIES = 0
# Links in emails and the operator API read the same whatever PORT the shell has set.
MARKETPLACE_URL_TEMPLATE = "http://{domain}:8000"
