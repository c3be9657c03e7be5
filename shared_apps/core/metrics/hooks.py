"""One-line hooks for code other apps own: a decorator each."""

from __future__ import annotations

import functools
import time

from shared_apps.core.errors import ApplicationError
from shared_apps.core.metrics.instruments import (
    PROVISIONING_DURATION,
    PROVISIONING_FAILURES,
    WEBHOOKS,
)

WEBHOOK_PROVIDERS = ("stripe", "paystack")


def webhook_outcome(outcome: str) -> str:
    """The bounded label for what a webhook's processing answered (the answer itself is free
    text: "payment succeeded", "duplicate: already processed", "ignored: …")."""
    if outcome.startswith("duplicate"):
        return "duplicate"
    if outcome.startswith("ignored"):
        return "ignored"
    return "processed"


def webhook_metrics(post):
    """Decorates a webhook view's `post(self, request, provider)`: counts each event by
    provider and outcome (processed, duplicate, ignored, rejected, error)."""

    @functools.wraps(post)
    def counted(self, request, provider, *args, **kwargs):
        label = provider if provider in WEBHOOK_PROVIDERS else "other"
        try:
            response = post(self, request, provider, *args, **kwargs)
        except ApplicationError:
            WEBHOOKS.labels(label, "rejected").inc()
            raise
        except Exception:
            WEBHOOKS.labels(label, "error").inc()
            raise
        data = getattr(response, "data", None) or {}
        WEBHOOKS.labels(label, webhook_outcome(str(data.get("outcome", "")))).inc()
        return response

    return counted


def provisioning_metrics(provision):
    """Decorates the provisioning service: times it by the schema's path (the result's
    `schema_source`: pool, template or replay), counts failures."""

    @functools.wraps(provision)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            result = provision(*args, **kwargs)
        except Exception:
            PROVISIONING_FAILURES.inc()
            raise
        path = getattr(result, "schema_source", "") or "unknown"
        PROVISIONING_DURATION.labels(path).observe(time.perf_counter() - started)
        return result

    return timed
