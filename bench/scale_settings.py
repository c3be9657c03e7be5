"""Settings of the scale benchmark's commands: development settings, plus the extra
storefront migrations the benchmark generates (BENCH_STOREFRONT_MIGRATIONS names the
module), so each migrate run has exactly one new migration to apply."""

import os

from config.settings.dev import *  # noqa: F403

if os.environ.get("BENCH_STOREFRONT_MIGRATIONS"):
    MIGRATION_MODULES = {"storefront": os.environ["BENCH_STOREFRONT_MIGRATIONS"]}
TENANT_MULTIPROCESSING_MAX_PROCESSES = int(os.environ.get("BENCH_PROCESSES", "2"))
