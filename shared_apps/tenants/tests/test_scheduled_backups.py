"""Scheduled backups: beat sends them, a real worker writes verified archives into the
backup storage and prunes beyond the retention count; failures reach the metrics."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.files.storage import FileSystemStorage

from shared_apps.core.broker import broker_key, broker_redis
from shared_apps.core.metrics import fleet
from shared_apps.tenants.backup_schedule import beat_schedule
from shared_apps.tenants.backups import archive_read
from shared_apps.tenants.scheduled_backups import backup_marketplace, stored_archives
from tests.support.workers import ROOT, Worker, _detach_and_die_with_parent, wait_for, worker_env

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def _fresh_backup_metrics():
    broker_redis().delete(broker_key(fleet.BACKUP_COUNTS), broker_key(fleet.BACKUP_LAST))
    yield
    broker_redis().delete(broker_key(fleet.BACKUP_COUNTS), broker_key(fleet.BACKUP_LAST))


@pytest.fixture
def beat_and_worker(marketplaces, tmp_path):
    backups = tmp_path / "backups"
    env = {"BACKUP_DIR": str(backups), "BACKUP_RETENTION": "2"}
    worker = Worker("backups", log_dir=tmp_path, env=env)
    worker.wait_ready()
    # Only the backups fall due during the test: every other periodic job waits a day.
    beat_env = {
        **worker_env(), **env, "BACKUP_SCHEDULE": "2", "QUEUE_SYNC_SECONDS": "86400",
        "SCHEMA_POOL_REFILL_SECONDS": "86400", "EXPIRE_REQUESTS_SECONDS": "86400",
        "COMPLETE_STAYS_SECONDS": "86400",
    }  # fmt: skip
    beat_log = (tmp_path / "beat.log").open("w")
    beat = subprocess.Popen(  # noqa: S603  (celery's own CLI)
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
         f"--schedule={tmp_path / 'beat-schedule'}"],
        cwd=ROOT, env=beat_env, stdout=beat_log, stderr=subprocess.STDOUT,
        preexec_fn=_detach_and_die_with_parent,  # noqa: PLW1509
    )  # fmt: skip
    yield backups, worker, tmp_path / "beat.log"
    beat.terminate()
    beat.wait(timeout=20)
    beat_log.close()
    worker.stop()


@pytest.mark.slow  # a real worker and beat
def test_beat_backs_up_every_marketplace_verified_and_pruned(beat_and_worker, alpha, bravo):
    backups, worker, beat_log = beat_and_worker

    # Three rounds for each marketplace: the third prunes the first (retention 2).
    wait_for(lambda: worker.output().count("scheduled backup of bravo") >= 3, timeout=120)
    wait_for(lambda: worker.output().count("scheduled backup of alpha") >= 3, timeout=30)

    assert "Sending due task backup-marketplaces" in beat_log.read_text()
    storage = FileSystemStorage(location=backups)
    for market in (alpha, bravo):
        kept = stored_archives(storage, market.slug)
        assert len(kept) == 2, kept
        for name in kept:
            archive = archive_read(backups / name)  # every member against its checksum
            assert archive.manifest["slug"] == market.slug
            assert archive.public["tenant"]["schema_name"] == market.slug
    assert "1 older pruned" in worker.output()
    stats = fleet.backup_stats()
    assert stats.counts["ok"] >= 6
    assert stats.failing == 0


class CorruptingStorage(FileSystemStorage):
    """Stores a damaged copy: verification must catch it."""

    def _save(self, name, content):
        data = bytearray(content.read())
        data[len(data) // 2] ^= 0xFF
        from django.core.files.base import ContentFile

        return super()._save(name, ContentFile(bytes(data)))


def test_an_archive_that_fails_verification_is_a_failure_in_the_metrics(alpha, tmp_path, settings):
    settings.BACKUP_STORAGE = {
        "BACKEND": f"{__name__}.CorruptingStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }

    result = backup_marketplace.apply(args=["alpha"])

    assert result.failed()
    assert "differs from the archive" in str(result.result)
    stats = fleet.backup_stats()
    assert stats.counts["failed"] == 1
    assert stats.failing == 1
    assert stats.never_succeeded == 1


def test_a_later_good_backup_clears_the_failure(alpha, tmp_path, settings):
    fleet.record_backup(slug="alpha", ok=False)
    settings.BACKUP_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }

    result = backup_marketplace.apply(args=["alpha"])

    assert result.successful(), result.result
    assert (tmp_path / result.result["name"]).is_file()
    stats = fleet.backup_stats()
    assert (stats.failing, stats.never_succeeded) == (0, 0)
    assert stats.oldest_success is not None


@pytest.mark.parametrize(("value", "kind"), [("3600", "schedule"), ("30 2 * * *", "crontab")])
def test_the_schedule_is_seconds_or_a_crontab(value, kind):
    assert type(beat_schedule(value)).__name__ == kind


def test_a_malformed_schedule_says_what_it_expects():
    with pytest.raises(ValueError, match="neither seconds nor a 5-field crontab"):
        beat_schedule("daily")
