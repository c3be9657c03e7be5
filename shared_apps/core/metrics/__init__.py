"""Prometheus metrics, served at /metrics (shared_apps.core.metrics.middleware).

Two kinds of figures:

* Per-process instruments (instruments.py): request latency by route and status, database
  and cache timings, cache hits and misses, webhook outcomes, provisioning durations. They
  live in the web process that measured them; under gunicorn every worker process writes
  them to PROMETHEUS_MULTIPROC_DIR and the scrape adds them up (prometheus-client's
  multiprocess mode, see deploy/gunicorn.conf.py).
* Fleet figures (fleet.py, collector.py), read or summed in Redis and PostgreSQL when
  /metrics is scraped, so any web replica answers for the whole deployment: Celery task
  counts, durations and failures (workers add them up in Redis as tasks finish), queue
  depths and oldest task ages, live workers, spare schemas in the pool, scheduled backups.

Labels stay bounded: routes are URL patterns, not paths; tasks are registered task names;
providers and outcomes are fixed lists. No metric is labelled by marketplace, except the
few deepest marketplace queues (METRICS_TOP_QUEUES of them): a thousand marketplaces times
every route would be a million series. Per-marketplace figures are the operator metrics
API's job (/api/v1/platform/metrics).

Code owned by other apps calls in with one line: `webhook_metrics` (payments' webhook
view), `provisioning_metrics` (tenants' provisioning service)."""

from shared_apps.core.metrics.hooks import provisioning_metrics, webhook_metrics

__all__ = ["provisioning_metrics", "webhook_metrics"]
