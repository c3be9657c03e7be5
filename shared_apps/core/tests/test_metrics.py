"""/metrics: what an operator's Prometheus reads, guarded, with bounded labels."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared_apps.core.metrics import fleet
from shared_apps.core.metrics.hooks import webhook_outcome


def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metrics_client(api):
    return api("10.0.0.7:8000")  # a bare pod IP, as Prometheus scrapes it


def test_requests_are_timed_by_route_and_status(api, alpha, metrics_client):
    before = scrape(metrics_client)
    api(alpha.host).get("/api/v1/properties")
    api(alpha.host).get("/api/v1/properties/00000000-0000-0000-0000-000000000000")
    after = scrape(metrics_client)

    search = {"route": "api/v1/properties", "method": "GET", "status": "200"}
    missing = {
        "route": "api/v1/properties/<uuid:property_id>",
        "method": "GET",
        "status": "404",
    }
    name = "rental_http_request_duration_seconds_count"
    assert value(after, name, **search) == value(before, name, **search) + 1
    assert value(after, name, **missing) == value(before, name, **missing) + 1
    # Labels are URL patterns: no sample names the id that was asked for.
    assert not any("00000000" in str(labels) for _, labels in after)
    assert value(after, "rental_db_query_duration_seconds_count") > value(
        before, "rental_db_query_duration_seconds_count"
    )


def test_cache_reads_count_hits_and_misses(alpha, metrics_client):
    from django.core.cache import cache

    before = scrape(metrics_client)
    cache.set("metrics-probe", 1)
    assert cache.get("metrics-probe") == 1
    assert cache.get("metrics-probe-missing", "dflt") == "dflt"
    after = scrape(metrics_client)

    lookups = "rental_cache_lookups_total"
    assert value(after, lookups, result="hit") == value(before, lookups, result="hit") + 1
    assert value(after, lookups, result="miss") == value(before, lookups, result="miss") + 1
    timed = "rental_cache_operation_duration_seconds_count"
    assert value(after, timed, operation="set") > value(before, timed, operation="set")


def test_webhooks_are_counted_by_provider_and_outcome(api, alpha, metrics_client):
    before = scrape(metrics_client)
    # alpha takes offline payments: a Stripe event is refused with a 400.
    response = api(alpha.host).post(
        "/api/v1/payments/webhooks/stripe", b"{}", content_type="application/json"
    )
    after = scrape(metrics_client)

    assert response.status_code == 400
    name = "rental_webhooks_total"
    labels = {"provider": "stripe", "outcome": "rejected"}
    assert value(after, name, **labels) == value(before, name, **labels) + 1


@pytest.mark.parametrize(
    ("answer", "label"),
    [
        ("payment succeeded", "processed"),
        ("refund succeeded", "processed"),
        ("duplicate: already processed", "duplicate"),
        ("ignored: not an event we act on", "ignored"),
    ],
)
def test_webhook_answers_map_to_few_outcomes(answer, label):
    assert webhook_outcome(answer) == label


def test_provisioning_is_timed_by_schema_path(marketplaces, metrics_client, db):
    samples = scrape(metrics_client)

    paths = {
        dict(labels)["path"]
        for name, labels in samples
        if name == "rental_provisioning_duration_seconds_count"
    }
    # alpha and bravo were provisioned in this process at the start of the session.
    assert paths & {"pool", "template", "replay"}


def test_fleet_figures_are_on_the_page(alpha, metrics_client):
    fleet.record_task(task="probe.task", state="SUCCESS", seconds=0.2)
    fleet.record_task(task="probe.task", state="FAILURE", seconds=3)
    samples = scrape(metrics_client)

    assert value(samples, "rental_celery_tasks_total", task="probe.task", state="SUCCESS") >= 1
    assert value(samples, "rental_celery_tasks_total", task="probe.task", state="FAILURE") >= 1
    assert (
        value(samples, "rental_celery_task_duration_seconds_bucket", task="probe.task", le="0.25")
        >= 1
    )
    for source in ("tasks", "queues", "workers", "pool", "backups"):
        assert value(samples, "rental_metrics_source_up", source=source) == 1, source
    assert ("rental_schema_pool_spares", ()) in samples
    assert value(samples, "rental_queue_depth", queue="platform") >= 0


def test_only_the_deepest_marketplace_queues_are_labelled(alpha, bravo, metrics_client, settings):
    from django_tenants.utils import tenant_context

    from shared_apps.core.tests.worker_tasks import where_am_i
    from shared_apps.queues.services import purge_tenant_queue

    settings.METRICS_TOP_QUEUES = 1
    purge_tenant_queue("alpha")  # whatever earlier tests left for a worker
    purge_tenant_queue("bravo")
    try:
        with tenant_context(alpha.tenant):
            where_am_i.delay()
            where_am_i.delay()
        with tenant_context(bravo.tenant):
            where_am_i.delay()
        samples = scrape(metrics_client)
    finally:
        purge_tenant_queue("alpha")
        purge_tenant_queue("bravo")

    assert value(samples, "rental_queue_depth", queue="tenant.alpha") == 2
    assert ("rental_queue_depth", (("queue", "tenant.bravo"),)) not in samples
    assert value(samples, "rental_marketplace_queues_depth") == 3
    assert value(samples, "rental_marketplace_queues_busy") == 2
    age = value(samples, "rental_queue_oldest_task_age_seconds", queue="tenant.alpha")
    assert 0 <= age < 60


def test_a_scrape_token_guards_the_page(metrics_client, settings, db):
    settings.METRICS_TOKEN = "s3cret-scrape-token"

    refused = metrics_client.get("/metrics")
    wrong = metrics_client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope")

    assert refused.status_code == wrong.status_code == 401
    assert refused.json()["code"] == "metrics_token_required"
    assert scrape(metrics_client, HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")


def test_production_without_a_token_serves_no_metrics(metrics_client, settings, db):
    settings.METRICS_TOKEN = ""
    settings.METRICS_OPEN = False

    assert metrics_client.get("/metrics").status_code == 401


def test_liveness_asks_nothing_readiness_asks_the_dependencies(api, db, monkeypatch):
    from shared_apps.core import health

    def down():
        raise ConnectionError("connection refused")

    monkeypatch.setitem(health.CHECKS, "redis", down)
    assert api("10.0.0.7").get("/healthz/live").status_code == 200
    ready = api("10.0.0.7").get("/healthz/ready")
    # Without Redis the pod still serves (degraded mode): it stays in the load balancer.
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["redis"] == "error: ConnectionError"

    monkeypatch.setitem(health.CHECKS, "postgresql", down)
    assert api("10.0.0.7").get("/healthz/live").status_code == 200
    ready = api("10.0.0.7").get("/healthz/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["postgresql"] == "error: ConnectionError"


def test_a_failed_provisioning_is_counted_and_not_timed(metrics_client, db):
    from shared_apps.core.errors import ConflictError
    from shared_apps.tenants.services import tenant_provision

    before = scrape(metrics_client)
    with pytest.raises(ConflictError):
        tenant_provision(name="Again", slug="alpha", admin_email="x@alpha.test")
    after = scrape(metrics_client)

    failures = "rental_provisioning_failures_total"
    assert value(after, failures) == value(before, failures) + 1
    timed = [
        (n, labels) for n, labels in after if n == "rental_provisioning_duration_seconds_count"
    ]
    assert all(after[key] == before.get(key) for key in timed)
