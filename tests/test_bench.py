"""`make bench` (bench/run_all.py): every row of issue 16's table is printed, whether its
script measured it or not, and docs/benchmarks.md keeps its other sections."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bench import run_all

ROOT = Path(__file__).resolve().parent.parent
OTHER_SECTIONS = "# Benchmarks\n\nIntro.\n\n## Read path profile\n\nKept as it is.\n"


def test_every_row_is_printed_even_when_a_script_gave_nothing():
    results = {
        "bookings": (
            [
                {"case": "booking creation, distinct listings", "ratio": 0.45, "goal": 0.4},
                {"case": "booking creation, one listing", "ratio": 0.9, "goal": None},
            ],
            "",
        ),
        "search": (None, "the script returns no rows yet"),
    }

    lines = run_all.table(results)

    for row in run_all.TABLE:
        assert any(line.startswith(f"| {row.case} |") for line in lines), row.case
    booking = next(line for line in lines if line.startswith("| booking creation, distinct"))
    assert booking == "| booking creation, distinct listings | 0.17x | 0.45x | >= 0.4x | yes |"
    search = next(line for line in lines if line.startswith("| search, cache warm |"))
    assert "not available (the script returns no rows yet)" in search
    assert "| booking creation, one listing | | 0.90x | - | - |" in lines  # an extra row


def test_a_run_missing_a_row_or_with_a_failed_script_is_incomplete():
    every_row = {
        row.script: ([{"case": r.case, "ratio": 1.0, "goal": None} for r in run_all.TABLE
                      if r.script == row.script], "")
        for row in run_all.TABLE
    }  # fmt: skip
    assert run_all.problems(every_row) == []

    failed = {**every_row, "queues": (None, "failed (Traceback ...)")}
    missing_one = {**every_row, "search": (every_row["search"][0][1:], "")}

    assert run_all.problems(failed) == [
        "bench/queues.py: failed (Traceback ...)",
        *(f"no figure for: {row.case}" for row in run_all.TABLE if row.script == "queues"),
    ]
    assert run_all.problems(missing_one) == [f"no figure for: {run_all.TABLE[0].case}"]


def test_main_exits_non_zero_when_a_row_is_missing_and_still_prints_the_table(
    tmp_path, monkeypatch, capsys
):
    def only_bookings(name, timeout, argv=None):
        if name != "bookings":
            return None, "failed (boom)"
        return [{"case": "booking creation, distinct listings", "ratio": 0.5, "goal": 0.4}], ""

    monkeypatch.setattr(run_all, "run_script", only_bookings)

    code = run_all.main(["--out", str(tmp_path / "b.md")])

    assert code == 1
    out = capsys.readouterr()
    assert "| booking creation, distinct listings | 0.17x | 0.50x | >= 0.4x | yes |" in out.out
    assert "bench/search.py: failed (boom)" in out.err
    assert "| booking creation, distinct listings |" in (tmp_path / "b.md").read_text()


def test_a_missed_goal_says_so():
    measured = {"case": "search ordered by rating, 100,000 listings", "ratio": 1.5, "goal": 1.2}
    results = {"search_scale": ([{**measured, "lower_is_better": True}], "")}

    line = next(line for line in run_all.table(results) if "ordered by rating" in line)

    assert line.endswith("| <= 1.2x | NO |")


def test_the_results_section_is_replaced_and_the_others_kept(tmp_path):
    docs = tmp_path / "benchmarks.md"
    docs.write_text(OTHER_SECTIONS)

    run_all.write_section(docs, "first run")
    run_all.write_section(docs, "second run")

    text = docs.read_text()
    assert text.startswith(OTHER_SECTIONS.rstrip())
    assert text.count(run_all.SECTION) == 1
    assert "second run" in text
    assert "first run" not in text
    docs.write_text(text.replace("## Results", "## Read path profile\n\nKept.\n\n## Results"))
    run_all.write_section(docs, "third run")
    assert "third run" in docs.read_text()
    assert "## Read path profile" in docs.read_text().split(run_all.SECTION)[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_a_quick_run_prints_every_row_and_leaves_nothing_behind(tmp_path):
    """Every script on tiny data (BENCH_QUICK=1): the figures mean nothing, the plumbing
    is what is checked (each script runs, returns its rows, cleans its Redis keys)."""
    docs = tmp_path / "benchmarks.md"
    docs.write_text(OTHER_SECTIONS)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "CELERY_KEY_PREFIX")
    }
    env.update(BENCH_QUICK="1", BENCH_PORT=str(_free_port()))

    done = subprocess.run(  # noqa: S603  (our own script)
        [sys.executable, "bench/run_all.py", f"--out={docs}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    printed = done.stdout.split("| case | before | now | goal | met |")[1]
    for row in run_all.TABLE:  # every row measured, none "not available"
        line = next(line for line in printed.splitlines() if line.startswith(f"| {row.case} |"))
        assert "not available" not in line, line
        now = line.split(" | ")[2]
        assert re.search(r"\d", now), line  # a figure, whatever it is on tiny data
    present = [name for name in run_all.SCRIPTS if (ROOT / "bench" / f"{name}.py").exists()]
    assert done.stdout.count("Celery keys it left in Redis: 0") == len(present)
    text = docs.read_text()
    assert text.startswith(OTHER_SECTIONS.rstrip())
    assert run_all.SECTION in text
