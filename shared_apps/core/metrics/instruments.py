"""Per-process instruments. Every name starts with `rental_`; label values come from
fixed, small sets (see the package docstring)."""

from __future__ import annotations

import os

from prometheus_client import Counter, Histogram

# In multiprocess mode every process writes its figures to files in this folder: make sure
# it exists in every role (gunicorn also empties it at start; workers and beat share the
# ConfigMap that sets it, and a missing folder would fail the first cache call of a task).
if _multiprocess_dir := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(_multiprocess_dir, exist_ok=True)

# Web requests take milliseconds to seconds; the top buckets catch a stuck upstream.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
# One SQL statement or one cache call: tenths of a millisecond up.
QUERY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)
# Provisioning: ~20 ms from the pool, ~0.3 s cloning the template, seconds replaying.
PROVISIONING_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

REQUEST_DURATION = Histogram(
    "rental_http_request_duration_seconds",
    "Time to answer a web request, by URL pattern, method and status code.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
DB_QUERY_DURATION = Histogram(
    "rental_db_query_duration_seconds",
    "Time of each SQL statement a web request runs.",
    buckets=QUERY_BUCKETS,
)
CACHE_DURATION = Histogram(
    "rental_cache_operation_duration_seconds",
    "Time of each cache (Redis) call, by operation.",
    ["operation"],
    buckets=QUERY_BUCKETS,
)
CACHE_LOOKUPS = Counter(
    "rental_cache_lookups_total",
    "Cache reads by result (hit or miss); hits / all is the hit ratio.",
    ["result"],
)
WEBHOOKS = Counter(
    "rental_webhooks_total",
    "Payment provider webhooks received, by provider and outcome.",
    ["provider", "outcome"],
)
PROVISIONING_DURATION = Histogram(
    "rental_provisioning_duration_seconds",
    "Time to provision a marketplace, by where its schema came from (pool, template, replay).",
    ["path"],
    buckets=PROVISIONING_BUCKETS,
)
PROVISIONING_FAILURES = Counter(
    "rental_provisioning_failures_total",
    "Provisionings that raised (nothing was left behind; the caller saw the error).",
)

# --- Running degraded (shared_apps.core.degraded): what an outage cost, counted per event,
# so a dashboard shows how much traffic a Redis or broker outage touched, not only that it
# happened (the log has one line a minute).
CACHE_ERRORS = Counter(
    "rental_cache_errors_total",
    "Cache (Redis) calls that failed and were answered as a miss: the read went to the "
    "database instead.",
)
THROTTLE_UNAVAILABLE = Counter(
    "rental_throttle_unavailable_total",
    "Rate-limit checks that could not reach Redis, by what the request got: refused (503 "
    "with Retry-After: credential scopes fail closed) or allowed (other scopes fail open).",
    ["outcome"],
)
OUTBOX_PUBLISHED = Counter(
    "rental_outbox_published_total",
    "Outbox messages handed to the broker, by who sent them: the relay right after the "
    "commit, or the sweep (a retry of one the relay could not send).",
    ["via"],
)
OUTBOX_PUBLISH_FAILURES = Counter(
    "rental_outbox_publish_failures_total",
    "Attempts to hand an outbox message to the broker that failed (broker away); the message "
    "stays in the outbox and the sweep retries it. By who tried: relay or sweep.",
    ["via"],
)
