"""docs/database.md: its ERDs and index inventory match the models and the migrations, and
every index a model declares is explained with the query it serves."""

from __future__ import annotations

import re
import shutil

import pytest
from django.core.management import CommandError, call_command

from shared_apps.tenants.dbdocs import marketplace_models, public_models
from shared_apps.tenants.management.commands.export_database_docs import DEFAULT_PATH

pytestmark = pytest.mark.django_db


def test_the_generated_parts_are_current(marketplaces):
    call_command("export_database_docs", "--check")


def test_a_stale_erd_fails_the_check(marketplaces, tmp_path):
    stale = tmp_path / "database.md"
    shutil.copy(DEFAULT_PATH, stale)
    stale.write_text(stale.read_text().replace("date check_in\n", "date arrival\n", 1))

    with pytest.raises(CommandError, match="is stale"):
        call_command("export_database_docs", "--check", f"--out={stale}")
    call_command("export_database_docs", f"--out={stale}")
    call_command("export_database_docs", "--check", f"--out={stale}")


def test_every_table_is_in_an_erd():
    text = DEFAULT_PATH.read_text()
    diagrams = re.findall(r"```mermaid\nerDiagram\n(.*?)```", text, re.DOTALL)

    assert len(diagrams) == 2
    for diagram, models in zip(diagrams, (public_models(), marketplace_models()), strict=True):
        for model in models:
            assert f"    {model._meta.db_table} {{" in diagram, model._meta.db_table


def test_every_declared_index_is_explained_with_its_plan():
    text = DEFAULT_PATH.read_text()
    explained = text.split("## Indexes and the queries they serve")[1].split("\n## ")[0]

    for model in public_models() + marketplace_models():
        for index in model._meta.indexes:
            assert index.name in explained, index.name
    assert explained.count("```\n") >= 2 * 10  # the plans themselves
