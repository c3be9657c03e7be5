"""`make bench`: every row of issue 16's table in one run, each next to the figure the issue
started from and its goal, with the machine's load, and docs/benchmarks.md's results
section rewritten from it.

    make bench                       # or: .venv/bin/python bench/run_all.py
    BENCH_QUICK=1 .venv/bin/python bench/run_all.py --out /tmp/b.md   # a smoke run, tiny data

Each area's script runs in its own process (each sets Django up on a throw-away database
of its own) and hands back its rows from `main()`: a list of dicts with `case`, `ratio`,
`goal` (None: no goal), and optionally `shown` (how to print the figure), `goal_text`,
`lower_is_better`, `met`, and `table_case` (the table's row it answers, when its own
`case` differs, e.g. names a smaller size in a quick run). Each ratio is measured against
a baseline taken in the same run, interleaved with it (see each script). A script that is
missing or fails gives a "not available" row instead of stopping the others. Every
script's Celery keys go under a prefix of its own, checked empty (and cleared) after it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import forget_broker_keys  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "## Results of `make bench`"
MARK = "BENCH-ROWS "


@dataclass(frozen=True)
class Row:
    """A row of issue 16's table: the figure it started from, and its goal."""

    case: str
    before: str
    goal: str
    script: str


TABLE = [
    Row("search, city + dates + guests, cache off", "0.13x", ">= 0.6x", "search"),
    Row("search, cache warm", "0.52-0.61x", ">= 0.9x", "search"),
    Row("GraphQL search, cache warm", "0.68-0.75x", ">= 0.9x", "search"),
    Row("property detail, cache off", "0.34x", ">= 0.7x", "search"),
    Row("property detail, cache warm", "0.74-0.78x", ">= 0.9x", "search"),
    Row("booking creation, distinct listings", "0.17x", ">= 0.4x", "bookings"),
    Row(
        "search ordered by rating, 100,000 listings",
        "3.2x the time at 1,000",
        "<= 1.2x",
        "search_scale",
    ),
    Row(
        "a task for an idle marketplace behind another's 2,000-task backlog, 200 queues",
        "0.28-0.49 s",
        "<= 0.1 s",
        "queues",
    ),
    Row(
        "PostgreSQL backend memory after one persistent connection served 200 marketplaces",
        "50 MB private, +250 KB per marketplace",
        "<= 64 MB",
        "backend_memory",
    ),
    # The Done-when's: latency with many marketplaces (the row says how many were served:
    # 200 in `make bench`, 1,000 in `make bench-backend-memory`), and the cache's hit ratio.
    Row(
        "request latency, marketplaces served round-robin by one worker, vs one marketplace",
        "-",
        "<= 1.2x",
        "backend_memory",
    ),
    Row("listings cache hit ratio, 95% reads / 5% bookings", "-", ">= 0.9", "search"),
    Row("provisioning a marketplace (pool)", "147 ms (README, stale)", "-", "provisioning"),
]
# Run order: the long HTTP benchmarks first, while the machine is freshest.
SCRIPTS = ["search", "bookings", "search_scale", "queues", "backend_memory", "provisioning"]
# Arguments of a full run (a quick run takes each script's BENCH_QUICK defaults): 200
# marketplaces for the memory row (cloning 1,000 takes 10-30 minutes on this machine).
ARGUMENTS = {"backend_memory": ["--tenants", "200"]}

RUNNER = """
import json, sys
name, argv = sys.argv[1], json.loads(sys.argv[2])
sys.argv = [name]
module = __import__("bench." + name, fromlist=["main"])
rows = module.main(argv)
print({mark!r} + json.dumps(rows if isinstance(rows, list) else None, default=str))
"""


def run_script(
    name: str, timeout: float, argv: list[str] | None = None
) -> tuple[list[dict] | None, str]:
    """(rows, note): the script's rows (None if it gave none) and what went wrong."""
    if not (ROOT / "bench" / f"{name}.py").exists():
        return None, "script not in this tree"
    prefix = f"bench-{name}-{os.getpid()}:"
    env = {**os.environ, "CELERY_KEY_PREFIX": prefix, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-c", RUNNER.format(mark=MARK), name, json.dumps(argv or [])]
    rows, note = None, ""
    stopped = threading.Event()
    try:
        process = subprocess.Popen(  # noqa: S603  (our own scripts)
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
        )  # fmt: skip
        timer = threading.Timer(timeout, _stop, args=(process, stopped))
        timer.start()
        tail: list[str] = []
        for line in process.stdout:
            if line.startswith(MARK):
                rows = json.loads(line[len(MARK) :])
                continue
            print(f"  {line}", end="", flush=True)
            tail = [*tail[-4:], line.strip()]
        process.wait()
        timer.cancel()
        if stopped.is_set():
            note = f"stopped after {timeout:.0f} s"
        elif process.returncode:
            note = f"failed ({tail[-1] if tail else process.returncode})"
        elif rows is None and not note:
            note = "the script returns no rows yet"
    finally:
        left = forget_broker_keys(prefix)
        print(f"  (Celery keys it left in Redis: {left})")
    return rows, note


def _stop(process: subprocess.Popen, stopped: threading.Event) -> None:
    """Interrupts a script that ran out of time (SIGINT, so its `finally` drops its
    database and stops what it started), then kills what is left of its process group."""
    stopped.set()
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def verdict(row: dict) -> str:
    if "met" in row:
        return "yes" if row["met"] else "NO"
    if row.get("goal") is None or not isinstance(row.get("ratio"), int | float):
        return "-"
    if row.get("lower_is_better"):
        return "yes" if row["ratio"] <= row["goal"] else "NO"
    return "yes" if row["ratio"] >= row["goal"] else "NO"


def shown(row: dict) -> str:
    if row.get("shown"):
        return str(row["shown"])
    ratio = row.get("ratio")
    return f"{ratio:.2f}x" if isinstance(ratio, int | float) else str(ratio)


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def _answers(row: dict) -> str:
    """The table's case a row answers: its `table_case` (when its own name says more, such
    as a smaller size in a quick run), else its `case`."""
    return row.get("table_case") or row["case"]


def _found(row: Row, results: dict[str, tuple[list[dict] | None, str]]) -> dict | None:
    rows = results.get(row.script, (None, ""))[0] or []
    return next((r for r in rows if _answers(r).lower() == row.case.lower()), None)


def problems(results: dict[str, tuple[list[dict] | None, str]]) -> list[str]:
    """What makes the run incomplete: a script that failed or ran out of time, a table row
    no script answered. (A missed goal is a result, not a problem of the run.)"""
    found = [f"bench/{name}.py: {note}" for name, (_, note) in results.items() if note]
    found += [
        f"no figure for: {row.case}"
        for row in TABLE
        if row.script in results and _found(row, results) is None
    ]
    return found


def table(results: dict[str, tuple[list[dict] | None, str]]) -> list[str]:
    """The issue's rows in its order, then every other row the scripts returned."""
    lines = ["| case | before | now | goal | met |", "|---|---|---|---|---|"]
    used = set()
    for row in TABLE:
        note = results.get(row.script, (None, "not run"))[1]
        found = _found(row, results)
        if found is None:
            why = note or f"{row.script} returned no such row"
            lines.append(f"| {row.case} | {row.before} | not available ({why}) | {row.goal} | - |")
            continue
        used.add((row.script, found["case"]))
        lines.append(
            f"| {row.case} | {row.before} | {shown(found)} | {row.goal} | {verdict(found)} |"
        )
    for script in SCRIPTS:
        for found in results.get(script, (None, ""))[0] or []:
            if (script, found["case"]) in used:
                continue
            goal = found.get("goal")
            sign = "<=" if found.get("lower_is_better") else ">="
            goal_text = found.get("goal_text") or ("-" if goal is None else f"{sign} {goal}")
            lines.append(f"| {found['case']} | | {shown(found)} | {goal_text} | {verdict(found)} |")
    return lines


def write_section(path: Path, body: str) -> None:
    """Replaces the results section of `path` (or appends it), leaving the rest alone."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    section = f"{SECTION}\n\n{body.rstrip()}\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    quick = os.environ.get("BENCH_QUICK") == "1"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=SCRIPTS, help="run these scripts only")
    parser.add_argument(
        "--out", type=Path, default=None if quick else DOCS,
        help="the Markdown file whose results section is rewritten (quick runs: none)",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=300 if quick else 1800)
    args = parser.parse_args(argv)

    load_before = load_line()
    print(f"make bench{' (quick)' if quick else ''}: {load_before}", flush=True)
    results: dict[str, tuple[list[dict] | None, str]] = {}
    durations: dict[str, float] = {}
    for name in args.only or SCRIPTS:
        print(f"\n== bench/{name}.py ({load_line()})", flush=True)
        script_started = time.monotonic()
        results[name] = run_script(name, args.timeout, [] if quick else ARGUMENTS.get(name, []))
        durations[name] = time.monotonic() - script_started
    lines = table(results)
    load_after = load_line()
    took = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in durations.items())
    print("\n" + "\n".join(lines))
    print(f"\nbefore: {load_before}; after: {load_after}; {took}")

    if args.out:
        today = datetime.datetime.now(datetime.UTC).strftime("%d %B %Y, %H:%M UTC")
        body = "\n".join([
            f"Run of {today}{' (BENCH_QUICK: tiny data, figures meaningless)' if quick else ''}"
            f" by `make bench` (bench/run_all.py). Machine: {load_before} at the start, "
            f"{load_after} at the end; each script's time: {took}. \"before\" is the figure "
            "issue 16 started from; every \"now\" is a ratio to a baseline measured in the "
            "same run, interleaved with it (see each script's docstring).",
            "",
            *lines,
        ])  # fmt: skip
        write_section(args.out, body)
        print(f"wrote the results section of {args.out}")
    missing = problems(results)
    if missing:  # the table is printed (and written) all the same: it shows what is missing
        print("\nmake bench is incomplete:\n  " + "\n  ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
