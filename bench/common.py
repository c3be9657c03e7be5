"""Shared by the benchmark scripts: a throw-away database on the configured server."""

from __future__ import annotations

import os
import statistics


def configured_database_url() -> str:
    return os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rental")


def use_throwaway_database(suffix: str) -> str:
    """Creates `<configured name>_<suffix>` afresh and points DATABASE_URL at it (for this
    process and the workers it starts). Returns its name, for drop_database()."""
    import environ
    import psycopg

    url = configured_database_url()
    name = f"{environ.Env.db_url_config(url)['NAME']}_{suffix}"
    with psycopg.connect(_maintenance_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["BENCH_ORIGINAL_DATABASE_URL"] = url
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
    # Tasks the run publishes (outbox relays, pool refills, queue syncs: no worker takes
    # them) go under a key prefix of the run's own, which drop_database() deletes.
    os.environ.setdefault("CELERY_KEY_PREFIX", f"bench-{suffix}-{os.getpid()}:")
    return name


def drop_database(name: str) -> None:
    """Drops the throw-away database and the run's broker keys."""
    import psycopg

    with psycopg.connect(_maintenance_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    forget_broker_keys()


def forget_broker_keys(prefix: str | None = None) -> int:
    """Deletes every Redis key under a benchmark's Celery key prefix (queues, bindings,
    results); returns how many there were. Only ever a `bench-` prefix: never the
    platform's own queues."""
    import redis

    prefix = prefix or os.environ.get("CELERY_KEY_PREFIX", "")
    if not prefix.startswith("bench-"):
        return 0
    url = os.environ.get("CELERY_BROKER_URL") or os.environ.get(
        "REDIS_URL", "redis://127.0.0.1:6379/0"
    )
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
    return len(keys)


def _maintenance_url() -> str:
    url = os.environ.get("BENCH_ORIGINAL_DATABASE_URL") or configured_database_url()
    return url.rsplit("/", 1)[0] + "/postgres"


def summary(label: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (
        f"{label:<28} n={len(ms):<4} mean={statistics.mean(ms):7.1f} ms  "
        f"median={statistics.median(ms):7.1f} ms  p95={p95:7.1f} ms  "
        f"min={ms[0]:7.1f} ms  max={ms[-1]:7.1f} ms"
    )
