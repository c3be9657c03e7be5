"""deploy/monitoring: the alert rules check out (promtool when installed, and a schema check
always), and every metric the dashboard and the rules query is one the app really exports,
scraped from a running server (gunicorn, several processes, multiprocess metrics) after a
few requests, a webhook, a provisioning and a task."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import yaml
from django_tenants.utils import get_public_schema_name, tenant_context
from prometheus_client.parser import text_string_to_metric_families

from shared_apps.accounts.models import User
from shared_apps.accounts.tokens import tokens_for_user
from shared_apps.core.metrics import fleet
from shared_apps.core.tests.worker_tasks import where_am_i
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_delete
from tests.support.concurrency import committed
from tests.support.workers import ROOT, Worker, _detach_and_die_with_parent, wait_for, worker_env

MONITORING = ROOT / "deploy" / "monitoring"
RULES = MONITORING / "rules" / "rental.rules.yml"
RULE_TESTS = MONITORING / "rules" / "rental.rules.test.yml"
DASHBOARD = MONITORING / "grafana" / "dashboards" / "rental.json"
DATASOURCE = MONITORING / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
METRIC_NAME = re.compile(r"\b(rental_[a-z0-9_]+)")
# Label names that would carry a marketplace: none of our series may have one.
MARKETPLACE_LABELS = {"tenant", "marketplace", "schema", "slug"}


def rule_expressions() -> list[str]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule["expr"] for group in groups for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


def github_anchor(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_promtool_checks_and_unit_tests_the_rules():
    promtool = shutil.which("promtool")
    if promtool is None:  # the schema check below still runs
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    for command in (["check", "rules", str(RULES)], ["test", "rules", str(RULE_TESTS)]):
        result = subprocess.run(  # noqa: S603
            [promtool, *command], capture_output=True, text=True, check=False, timeout=60
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_complete_and_points_at_a_runbook_section():
    groups = yaml.safe_load(RULES.read_text())["groups"]
    headings = [
        github_anchor(line.lstrip("#"))
        for line in (ROOT / "docs" / "operations.md").read_text().splitlines()
        if line.startswith("#")
    ]

    alerts = [rule for group in groups for rule in group["rules"]]
    assert {rule["alert"] for rule in alerts} >= {
        "RentalHigh5xxRate", "RentalHighP95Latency", "RentalQueueBacklog",
        "RentalOldestTaskTooOld", "RentalWebhookFailures", "RentalSchemaPoolEmpty",
        "RentalWorkerHeartbeatsMissing", "RentalBackupFailing",
    }  # fmt: skip
    for rule in alerts:
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert rule["labels"]["severity"] in {"page", "warn"}
        assert rule["annotations"]["summary"]
        assert rule["annotations"]["description"]
        page, _, anchor = rule["annotations"]["runbook"].partition("#")
        assert page == "docs/operations.md"
        assert anchor in headings, f"{rule['alert']}: no section #{anchor}"


def test_the_dashboard_queries_the_provisioned_datasource():
    dashboard = json.loads(DASHBOARD.read_text())
    uid = yaml.safe_load(DATASOURCE.read_text())["datasources"][0]["uid"]

    assert dashboard["uid"] == "rental-overview"
    targets = [t for p in dashboard["panels"] for t in p.get("targets", [])]
    assert len(targets) > 20
    assert {t["datasource"]["uid"] for t in targets} == {uid}
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, host: str, **kwargs) -> tuple[int, bytes]:
    headers = {"Host": host, **kwargs.pop("headers", {})}
    request = urllib.request.Request(url, headers=headers, **kwargs)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def server(marketplaces, tmp_path):
    """gunicorn with two processes on the test database, metrics in multiprocess mode."""
    port = _free_port()
    env = {
        **worker_env(), "PORT": str(port), "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "1",
        "GUNICORN_MAX_REQUESTS": "0", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
    }  # fmt: skip
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(  # noqa: S603  (our own server)
        [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
         "config.wsgi:application"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        preexec_fn=_detach_and_die_with_parent,  # noqa: PLW1509
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ready(base), timeout=60, interval=0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _ready(base: str) -> bool:
    try:
        return _get(f"{base}/healthz/live", "127.0.0.1")[0] == 200
    except OSError:
        return False


@pytest.fixture
def operator_token(marketplaces):
    """A staff token. Rows are written and removed in their own committed connections, and
    this test's own connection reads nothing: a read of the users table in the test's
    transaction would hold up dropping the probe marketplace's schema until it ends."""
    operator = committed(
        lambda: User.objects.create_user("metrics-operator@platform.test", is_staff=True)
    )
    # Issued by the platform host's own tenant row (tokens carry the issuer's id).
    platform = committed(lambda: Tenant.objects.get(schema_name=get_public_schema_name()))
    with tenant_context(platform):
        token = tokens_for_user(user=operator)["access"]
    yield token
    # Django's delete would look for the user's rows in marketplace tables; it has none.
    committed(lambda: User.objects.filter(pk=operator.pk)._raw_delete("default"))


def _delete_probe_marketplace() -> None:
    tenant = Tenant.objects.filter(schema_name="metricsprobe").first()
    if tenant is not None:
        tenant_delete(tenant=tenant, confirm_slug="metricsprobe", archive=False)


def scrape(base: str) -> list:
    status, body = _get(f"{base}/metrics", "10.1.2.3")
    assert status == 200
    return list(text_string_to_metric_families(body.decode()))


def exported_names(families) -> set[str]:
    suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum")}
    names = set()
    for family in families:
        names.add(family.name)
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ()))
        names.update(sample.name for sample in family.samples)
    return names


@pytest.mark.slow  # a real worker and a server
@pytest.mark.django_db(transaction=False)
def test_dashboard_and_rules_query_metrics_the_running_app_exports(
    server, operator_token, marketplaces, tmp_path, platform_host
):
    alpha = marketplaces["alpha"]
    worker = Worker("monitored", log_dir=tmp_path)
    try:
        worker.wait_ready()
        for _ in range(2):  # the second search is answered from the cache
            assert _get(f"{server}/api/v1/properties", alpha.host)[0] == 200
        webhook = _get(
            f"{server}/api/v1/payments/webhooks/stripe", alpha.host, data=b"{}", method="POST"
        )
        assert webhook[0] == 400
        provisioned = _get(
            f"{server}/api/v1/platform/tenants",
            platform_host,
            method="POST",
            data=json.dumps(
                {"name": "Metrics Probe", "slug": "metricsprobe", "admin_email": "admin@alpha.test"}
            ).encode(),
            headers={
                "Authorization": f"Bearer {operator_token}",
                "Content-Type": "application/json",
            },
        )
        assert provisioned[0] == 201, provisioned[1]
        with tenant_context(alpha.tenant):
            assert where_am_i.delay().get(timeout=30) == "alpha"
        fleet.record_backup(slug="alpha", ok=True)
        wait_for(lambda: "rental_celery_tasks_total" in exported_names(scrape(server)), timeout=10)
        families = scrape(server)
    finally:
        worker.stop()
        committed(_delete_probe_marketplace)
        fleet.forget_backups(["alpha"])

    exported = exported_names(families)
    queried = {
        name for expr in rule_expressions() + dashboard_expressions()
        for name in METRIC_NAME.findall(expr)
    }  # fmt: skip
    assert queried - exported == set()
    for family in families:
        for sample in family.samples:
            assert not MARKETPLACE_LABELS & set(sample.labels), sample
    by_name = {s.name: s for f in families for s in f.samples if s.name.startswith("rental_")}
    assert "rental_provisioning_duration_seconds_count" in by_name  # from the web processes
    assert any(
        s.name == "rental_http_request_duration_seconds_count"
        and s.labels["route"] == "api/v1/properties"
        and s.value >= 2
        for f in families
        for s in f.samples
    )  # added up across gunicorn's two processes
