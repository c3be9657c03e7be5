"""The storefront's real first migration, so the probe comes on top of what the code has."""

import importlib

Migration = importlib.import_module("tenant_apps.storefront.migrations.0001_profile").Migration
