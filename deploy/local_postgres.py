"""A private PostgreSQL for deploy/local_services.py: the system's binaries or pgserver's,
started and stopped under .data/postgres, and the configured database created if missing."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
from pathlib import Path

from local_common import (
    FALLBACK_PG_USER,
    PG_DATA,
    PG_DIR,
    PG_LOG,
    PG_RUN,
    PG_STATE,
    PGSERVER_MAJOR,
    PGSERVER_SPEC,
    START_TIMEOUT,
    PgTarget,
    ServiceError,
    as_user,
    live_pid,
    package_dir,
    pg_answers,
    pip_install,
    read_state,
    rel,
    run,
    wait_gone,
    wait_until,
)

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
