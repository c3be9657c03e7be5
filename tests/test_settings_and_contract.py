"""Deployment settings and the API contract: prod refuses insecure defaults and passes
Django's deploy checks; both OpenAPI documents are complete and warning-free."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod", **env}
    return subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


REAL_SECRETS = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def test_prod_passes_check_deploy_with_real_secrets():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **REAL_SECRETS)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SECRET_KEY", "insecure-dev-only-secret-key-change-me-0123456789abcdef"),
        ("SECRET_KEY", "too-short"),
        ("FIELD_ENCRYPTION_KEYS", "bG9jYWwtZGV2LW9ubHktZmVybmV0LWtleS0wMDAwMDA="),
    ],
)
def test_prod_refuses_to_start_with_an_insecure_default(variable, value):
    result = _manage("check", **{**REAL_SECRETS, variable: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


@pytest.mark.parametrize("urlconf", ["config.urls_public", "config.urls_tenant"])
def test_openapi_documents_validate_without_warnings(urlconf, tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", validate=True, fail_on_warn=True, urlconf=urlconf, file=str(target))

    text = target.read_text()
    assert "openapi: 3" in text
    expected = "/api/v1/platform/tenants" if urlconf.endswith("public") else "/api/v1/auth/signup"
    assert expected in text


def test_schema_and_docs_are_served_on_both_hosts(api, alpha, platform_host):
    for host, path in (
        (alpha.host, "/api/v1/members"),
        (platform_host, "/api/v1/platform/tenants"),
    ):
        schema = api(host).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        docs = api(host).get("/api/docs/")

        assert schema.status_code == 200
        assert path in schema.json()["paths"]
        assert docs.status_code == 200
        assert b"swagger" in docs.content.lower()


def test_every_operation_documents_its_errors(api, alpha):
    document = (
        api(alpha.host).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    )

    assert "Error" in document["components"]["schemas"]
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            assert {"400", "404"} <= set(operation["responses"]), (method, path)
            if method != "get":
                assert "409" in operation["responses"], (method, path)
