"""The schema pool's figures on /metrics (registered with core's collector in apps.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from prometheus_client.core import GaugeMetricFamily

from shared_apps.core.metrics.collector import register_source


def pool_families():
    from shared_apps.tenants.pool import pool_status

    connection.set_schema_to_public()
    status = pool_status()
    return [
        GaugeMetricFamily(
            "rental_schema_pool_spares",
            "Spare schemas at the code's migration state, ready for instant provisioning.",
            value=status["spares"],
        ),
        GaugeMetricFamily(
            "rental_schema_pool_target",
            "Spare schemas the pool is refilled to (SCHEMA_POOL_SIZE).",
            value=settings.SCHEMA_POOL_SIZE,
        ),
    ]


def register() -> None:
    register_source("pool", pool_families)
