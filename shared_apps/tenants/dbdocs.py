"""The generated parts of docs/database.md: an ERD (Mermaid erDiagram) of the public schema
and of a marketplace schema, drawn from the models, and the inventory of every index and
constraint, read from PostgreSQL's catalog (so it shows what migrations really made,
automatic foreign-key and unique indexes included). `manage.py export_database_docs`
rewrites them between their markers; `--check` fails when they are stale."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection, models

PROJECT_PREFIXES = ("shared_apps.", "tenant_apps.")
MARKERS = {
    "erd-public": "ERD of the public schema",
    "erd-marketplace": "ERD of a marketplace schema",
    "inventory-public": "indexes and constraints of the public schema",
    "inventory-marketplace": "indexes and constraints of a marketplace schema",
}


def _project_models(app_names: list[str]) -> list[type[models.Model]]:
    labels = set()
    for config in apps.get_app_configs():
        if config.name in app_names and config.name.startswith(PROJECT_PREFIXES):
            labels.add(config.label)
    found = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in labels and model._meta.managed
    ]
    return sorted(found, key=lambda model: model._meta.db_table)


def public_models() -> list[type[models.Model]]:
    return _project_models([a for a in settings.SHARED_APPS if a not in settings.TENANT_APPS])


def marketplace_models() -> list[type[models.Model]]:
    return _project_models(list(settings.TENANT_APPS))


def _type(field: models.Field) -> str:
    if field.is_relation and field.target_field is not None:
        return _type(field.target_field)
    name = field.get_internal_type().removesuffix("Field").lower()
    return {
        "bigauto": "bigint",
        "auto": "int",
        "char": "varchar",
        "positivesmallinteger": "smallint",
    }.get(name, name)


def _keys(field: models.Field) -> str:
    keys = []
    if field.primary_key:
        keys.append("PK")
    if field.is_relation:
        keys.append("FK")
    if field.unique and not field.primary_key:
        keys.append("UK")
    return ",".join(keys)


def erd(model_list: list[type[models.Model]]) -> str:
    """Mermaid erDiagram: one entity per table, its columns, and a line per foreign key
    (tables of another schema appear as bare entities)."""
    lines = ["erDiagram"]
    relations = []
    for model in model_list:
        table = model._meta.db_table
        lines.append(f"    {table} {{")
        for field in model._meta.concrete_fields:
            keys = _keys(field)
            suffix = f" {keys}" if keys else ""
            null = ' "null"' if field.null else ""
            lines.append(f"        {_type(field)} {field.column}{suffix}{null}")
        lines.append("    }")
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                continue
            target = field.related_model._meta.db_table
            one = "|o" if field.null else "||"
            left = "|o" if field.one_to_one or field.unique else "}o"
            relations.append(f'    {table} {left}--{one} {target} : "{field.column}"')
    return "\n".join(["```mermaid", *lines, *sorted(relations), "```"])


@dataclass(frozen=True)
class CatalogRow:
    table: str
    name: str
    kind: str
    definition: str


CONSTRAINT_KINDS = {
    "p": "primary key",
    "u": "unique",
    "c": "check",
    "x": "exclusion",
    "f": "foreign key",
}


def catalog(schema: str, tables: list[str]) -> list[CatalogRow]:
    """Every index and constraint of `tables` in `schema`, as PostgreSQL defines them."""
    rows: list[CatalogRow] = []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid)
               FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid
               JOIN pg_class t ON t.oid = x.indrelid
               JOIN pg_namespace n ON n.oid = t.relnamespace
               WHERE n.nspname = %s AND t.relname = ANY(%s)""",
            [schema, tables],
        )
        for table, name, definition in cursor.fetchall():
            rows.append(CatalogRow(table, name, "index", _strip_schema(definition, schema)))
        cursor.execute(
            """SELECT t.relname, c.conname, c.contype, pg_get_constraintdef(c.oid)
               FROM pg_constraint c
               JOIN pg_class t ON t.oid = c.conrelid
               JOIN pg_namespace n ON n.oid = t.relnamespace
               WHERE n.nspname = %s AND t.relname = ANY(%s) AND c.contype <> 'n'""",
            [schema, tables],
        )
        for table, name, kind, definition in cursor.fetchall():
            rows.append(
                CatalogRow(
                    table, name, CONSTRAINT_KINDS.get(kind, kind), _strip_schema(definition, schema)
                )
            )
    return sorted(rows, key=lambda row: (row.table, row.kind, row.name))


def _strip_schema(definition: str, schema: str) -> str:
    """Names in another marketplace's schema read the same: drop the schema qualifier."""
    text = definition.replace(f'"{schema}".', "").replace(f"{schema}.", "")
    # Django's generated index names carry a hash; constraints' names are stable. Both stay.
    return re.sub(r"\s+", " ", text)


def inventory(rows: list[CatalogRow]) -> str:
    lines = ["| table | name | kind | definition |", "|---|---|---|---|"]
    for row in rows:
        definition = row.definition.replace("|", "\\|")
        lines.append(f"| `{row.table}` | `{row.name}` | {row.kind} | `{definition}` |")
    return "\n".join(lines)


def marketplace_schema_for_catalog() -> str:
    """A marketplace schema at the code's migration state to read the catalog from: a
    marketplace's, else the pool's template."""
    from shared_apps.tenants.fingerprints import code_fingerprint
    from shared_apps.tenants.models import SpareSchema
    from shared_apps.tenants.selectors import marketplace_tenants

    fingerprint = code_fingerprint()
    connection.set_schema_to_public()
    tenant = (
        marketplace_tenants().filter(schema_fingerprint=fingerprint).order_by("schema_name").first()
    )
    if tenant is not None:
        return tenant.schema_name
    spare = SpareSchema.objects.filter(fingerprint=fingerprint).order_by("name").first()
    if spare is not None:
        return spare.name
    raise LookupError(
        "No marketplace schema at the code's migration state to read indexes from: "
        "run `manage.py migrate_all_schemas` (it builds the template) first."
    ) from None


def generated_sections() -> dict[str, str]:
    public, marketplace = public_models(), marketplace_models()
    schema = marketplace_schema_for_catalog()
    return {
        "erd-public": erd(public),
        "erd-marketplace": erd(marketplace),
        "inventory-public": inventory(catalog("public", [m._meta.db_table for m in public])),
        "inventory-marketplace": inventory(
            catalog(schema, [m._meta.db_table for m in marketplace])
        ),
    }


def render(document: str, sections: dict[str, str]) -> str:
    """`document` with each generated section replaced between its markers."""
    for key, body in sections.items():
        pattern = re.compile(
            rf"(<!-- generated:{key} -->\n)(?:.*?\n)?(<!-- /generated:{key} -->)", re.DOTALL
        )
        if not pattern.search(document):
            raise ValueError(f"docs/database.md lacks the markers of {MARKERS[key]} ({key}).")
        document = pattern.sub(
            lambda match, body=body: f"{match.group(1)}{body}\n{match.group(2)}", document
        )
    return document
