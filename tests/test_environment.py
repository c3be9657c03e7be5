"""Values that differ between runs come from the environment everywhere they appear: the
port of `make run PORT=…` in every link, the payment providers' API bases and the webhook
tolerance. Each case starts a real `manage.py` with the variables set, as `make run` does."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.workers import ROOT, worker_env

VARIABLES = {
    "PORT", "MARKETPLACE_URL_TEMPLATE", "PAYMENTS_STRIPE_API_BASE", "PAYMENTS_PAYSTACK_API_BASE",
    "PAYMENTS_WEBHOOK_TOLERANCE_SECONDS", "MEDIA_URL",
}  # fmt: skip


def _in_a_process(code: str, settings_module: str = "config.settings.dev", **env: str) -> str:
    """What `code` prints in a fresh `manage.py shell` under `settings_module`, with `env`
    added to the test run's environment (its database and Redis prefixes)."""
    environment = {**worker_env(), "DJANGO_SETTINGS_MODULE": settings_module, **env}
    for name in VARIABLES - env.keys():
        environment.pop(name, None)  # whatever the shell running the tests has set
    done = subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


SHOW_LINKS = """
from django.conf import settings
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.selectors import marketplace_url
print(settings.MARKETPLACE_URL_TEMPLATE)
print(marketplace_url(tenant=Tenant.objects.get(schema_name="alpha")))
"""


def test_the_port_of_make_run_is_in_every_marketplace_link(marketplaces):
    default = _in_a_process(SHOW_LINKS).splitlines()
    moved = _in_a_process(SHOW_LINKS, PORT="8123").splitlines()
    chosen = _in_a_process(SHOW_LINKS, PORT="8123", MARKETPLACE_URL_TEMPLATE="https://{domain}")

    assert default == ["http://{domain}:8000", "http://alpha.localhost:8000"]
    assert moved == ["http://{domain}:8123", "http://alpha.localhost:8123"]
    # an explicit template wins over the port (a proxy in front serves the standard one)
    assert chosen.splitlines()[1] == "https://alpha.localhost"


@pytest.mark.usefixtures("eager_tasks")  # the email is sent by a task
def test_links_people_receive_follow_the_configured_template(
    alpha, api, settings, mailoutbox, django_user_model, django_capture_on_commit_callbacks
):
    # The template a `make run PORT=8123` process computes...
    settings.MARKETPLACE_URL_TEMPLATE = _in_a_process(
        "from django.conf import settings; print(settings.MARKETPLACE_URL_TEMPLATE)", PORT="8123"
    )
    operator = django_user_model.objects.create_user("ops@platform.test", is_staff=True)

    # ...is what the operator API shows and what emailed links point at
    listed = api("localhost", operator).get("/api/v1/platform/tenants/alpha").json()
    with django_capture_on_commit_callbacks(execute=True):
        api(alpha.host).post("/api/v1/auth/password/reset", {"email": alpha.admin.email})

    assert listed["url"] == "http://alpha.localhost:8123"
    assert len(mailoutbox) == 1
    assert "http://alpha.localhost:8123/accounts/set-password/" in mailoutbox[0].body
    assert ":8000" not in mailoutbox[0].body


class _Listener:
    """Records the requests it gets and answers each with a provider's empty list (Stripe's
    list object; Paystack's `{status, message, data}` envelope)."""

    def __init__(self, body: dict) -> None:
        self.requests: list[tuple[str, str]] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802  (http.server's name)
                listener.requests.append((self.path, self.headers.get("Authorization", "")))
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def providers():
    stripe = _Listener(
        {"object": "list", "data": [], "has_more": False, "url": "/v1/payment_intents"}
    )
    paystack = _Listener({"status": True, "message": "Transactions retrieved", "data": []})
    yield stripe, paystack
    stripe.stop()
    paystack.stop()


CHECK_KEYS = """
from django.conf import settings
from tenant_apps.payments.gateways import gateway
from tenant_apps.payments.gateways.base import Keys
gateway("stripe", Keys(secret_key="sk_test_from_env")).check_keys()
gateway("paystack", Keys(secret_key="sk_test_paystack_env")).check_keys()
print(settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS)
"""


def test_a_running_platform_can_be_pointed_at_other_provider_servers(providers):
    stripe, paystack = providers

    printed = _in_a_process(
        CHECK_KEYS,
        PAYMENTS_STRIPE_API_BASE=stripe.url,
        PAYMENTS_PAYSTACK_API_BASE=paystack.url,
        PAYMENTS_WEBHOOK_TOLERANCE_SECONDS="600",
    )

    assert [(path.split("?")[0], auth) for path, auth in stripe.requests] == [
        ("/v1/payment_intents", "Bearer sk_test_from_env")
    ]
    assert [(path.split("?")[0], auth) for path, auth in paystack.requests] == [
        ("/transaction", "Bearer sk_test_paystack_env")
    ]
    assert printed == "600"


def test_without_the_variables_the_providers_own_servers_are_used():
    printed = _in_a_process(
        "from django.conf import settings; "
        "print(settings.PAYMENTS_STRIPE_API_BASE, settings.PAYMENTS_PAYSTACK_API_BASE, "
        "settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS)"
    )

    assert printed == "None https://api.paystack.co 300"


def test_photos_can_be_served_from_a_cdn():
    photo_url = (
        "from django.core.files.storage import default_storage; "  # what photo.image.url asks
        "print(default_storage.url('tenants/alpha/properties/1/a.jpg'))"
    )

    assert _in_a_process(photo_url) == "/media/tenants/alpha/properties/1/a.jpg"
    assert (
        _in_a_process(photo_url, MEDIA_URL="https://cdn.example.com/media/")
        == "https://cdn.example.com/media/tenants/alpha/properties/1/a.jpg"
    )
