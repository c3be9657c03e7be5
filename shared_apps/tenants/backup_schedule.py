"""When beat sends the scheduled backups (shared_apps.tenants.scheduled_backups). Kept apart
from the backup code: config/celery.py reads it before Django's apps are loaded."""

from __future__ import annotations

from celery.schedules import crontab, schedule
from django.conf import settings


def beat_schedule(value: str) -> schedule | crontab:
    """BACKUP_SCHEDULE: seconds between runs ("86400") or a crontab ("0 3 * * *")."""
    value = value.strip()
    if value.replace(".", "", 1).isdigit():
        return schedule(float(value))
    fields = value.split()
    if len(fields) != 5:
        raise ValueError(
            f"BACKUP_SCHEDULE {value!r} is neither seconds nor a 5-field crontab "
            "(minute hour day-of-month month day-of-week)."
        )
    minute, hour, day_of_month, month, day_of_week = fields
    return crontab(minute, hour, day_of_week, day_of_month, month)


def beat_entry() -> dict:
    """Beat's entry for the scheduled backups (config/celery.py)."""
    return {
        "backup-marketplaces": {
            "task": "tenants.backup_marketplaces",
            "schedule": beat_schedule(settings.BACKUP_SCHEDULE),
        }
    }
