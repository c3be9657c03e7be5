"""Gunicorn settings for the web role.

    gunicorn -c deploy/gunicorn.conf.py config.wsgi:application

Every knob reads an environment variable so one image serves every deployment size.
"""

import os
from pathlib import Path


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _available_cores() -> int:
    """CPUs this container may actually use.

    os.cpu_count() reports the host's cores; in a container limited by a CPU quota
    (docker --cpus, a Kubernetes limit) that would start far too many workers, each
    holding its own database connections. cgroup v2 exposes the quota in cpu.max.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cores = min(cores, max(1, int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    return cores


bind = f"0.0.0.0:{_int_env('PORT', 8000)}"

# The usual 2 x cores + 1. Keep workers x threads x replicas below PostgreSQL's
# max_connections (or put a pooler in front): connections stay open (CONN_MAX_AGE).
workers = _int_env("WEB_CONCURRENCY", 2 * _available_cores() + 1)
# Threads (gunicorn switches to the gthread worker when threads > 1) let a worker
# overlap requests waiting on PostgreSQL, Redis or a payment provider.
threads = _int_env("GUNICORN_THREADS", 4)

# A request taking longer than this is a bug or a stuck upstream: kill the worker.
timeout = _int_env("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int_env("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Seconds an idle keep-alive connection is held. Behind a load balancer, set it above
# the balancer's idle timeout, or it may reuse a connection gunicorn just closed (502s).
keepalive = _int_env("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so a slow leak can't grow without bound; the jitter
# keeps them from all restarting at the same moment.
max_requests = _int_env("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int_env("GUNICORN_MAX_REQUESTS_JITTER", 100)

# The worker heartbeat file: on a container's overlay filesystem writes can stall,
# which gunicorn mistakes for a hung worker; /dev/shm is memory. (Gunicorn makes its
# own private files there, hence the noqa for ruff's shared-temp-dir warning.)
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# Logs go to stdout/stderr for the container runtime to collect. The Host header is
# in the access log because it names the tenant (marketplace) a request was for.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(r)s" %(s)s %(b)s %(M)sms host="%({host}i)s" ua="%(a)s"'
)

# Which proxies may set X-Forwarded-For/-Proto (comma-separated IPs or CIDRs; "*"
# behind a load balancer that is the only way in). Gunicorn's own default otherwise.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Not preloading: the app would open database/Redis connections in the master that
# forked workers would then share.
preload_app = False

# Prometheus metrics (shared_apps.core.metrics) with several worker processes: each writes
# its figures to files in PROMETHEUS_MULTIPROC_DIR and /metrics adds them up. The folder
# is emptied when gunicorn starts (figures of an earlier run would count twice) and a dead
# worker's live gauges are dropped; its counters stay, as Prometheus expects.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server):
    if _metrics_dir:
        path = Path(_metrics_dir)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# No `Server: gunicorn` on every answer: the product and its version only help whoever
# scans for known vulnerabilities. Gunicorn always writes the header, from this name.
import gunicorn.http.wsgi  # noqa: E402

gunicorn.http.wsgi.SERVER = "web"
