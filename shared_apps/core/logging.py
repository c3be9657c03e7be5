import logging

from django.db import connection


class TenantContextFilter(logging.Filter):
    """Stamps every log record with the schema the connection serves."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.schema_name = getattr(connection, "schema_name", "-")
        return True
