"""The HTTP side of the benchmarks: a gunicorn server on the bench settings, a keep-alive
client load from threads, and a report next to a baseline measured in the same run."""

from __future__ import annotations

import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# BENCH_PORT: another port when 8765 is taken (several benches or checkouts on one machine).
PORT = int(os.environ.get("BENCH_PORT", "8765"))


@dataclass(frozen=True)
class Call:
    path: str
    method: str = "GET"
    body: dict | None = None
    headers: dict = field(default_factory=dict)


def start_server(host: str, **env_overrides: str) -> subprocess.Popen:
    env = {
        **os.environ, "PORT": str(PORT), "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "1",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        # No worker recycling mid-run: a restart (Django loading again) stalls whichever
        # case is being measured at that moment.
        "GUNICORN_MAX_REQUESTS": "0", **env_overrides,
    }  # fmt: skip
    server = subprocess.Popen(  # noqa: S603  (our own server)
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
         "--log-level=warning", "config.wsgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if send(host, Call("/bench/bare"))[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("gunicorn did not start")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


_bodies: dict[int, tuple[Call, bytes]] = {}  # the call is kept, so its id stays its own


def _encoded(call: Call) -> bytes:
    """A call's JSON body, encoded once: the client shares the server's CPUs, so it should
    spend as little of them as it can, on every case and its baseline alike."""
    known = _bodies.get(id(call))
    if known is None or known[0] is not call:
        known = _bodies[id(call)] = (call, json.dumps(call.body, default=str).encode())
    return known[1]


def send(host: str, call: Call, conn: http.client.HTTPConnection | None = None):
    """(status, seconds) of one request."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    headers = {"Host": host, **call.headers}
    body = None
    if call.body is not None:
        body = _encoded(call)
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    conn.request(call.method, call.path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    if own:
        conn.close()
    return response.status, elapsed


def load(host: str, calls: list[Call], clients: int = 4):
    """Sends every call once from `clients` threads; (latencies, rate, statuses)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def run(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        for call in chunk:
            status, elapsed = send(host, call, conn)
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(calls[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, len(calls) / (time.perf_counter() - started), statuses


def report(label: str, latencies: list[float], rate: float, statuses: dict, base=None) -> tuple:
    ms = sorted(x * 1000 for x in latencies)
    p50, p95 = statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]
    ratio = ""
    if base:
        ratio = (
            f"  p50 {p50 / base[0]:5.1f}x  p95 {p95 / base[1]:5.1f}x  rate {rate / base[2]:4.2f}x"
        )
    line = f"{label:<34} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {rate:7.1f} req/s"
    print(f"{line}  {dict(sorted(statuses.items()))}{ratio}")
    return p50, p95, rate


def baseline(host: str, count: int) -> tuple:
    """The bare Django view on the same server: what every ratio is measured against."""
    return report("bare Django view", *load(host, [Call("/bench/bare")] * count))


def interleaved(host: str, cases: dict[str, list[Call]], rounds: int = 4) -> dict[str, tuple]:
    """Each case's calls in `rounds` slices, the cases taking turns (ABCABC…), so a change
    in the machine's load during the run weighs on every case alike. Per case: (latencies,
    rate, statuses) as `load` gives them."""
    latencies = {name: [] for name in cases}
    seconds = dict.fromkeys(cases, 0.0)
    statuses = {name: {} for name in cases}
    for turn in range(rounds):
        for name, calls in cases.items():
            chunk = calls[turn::rounds]
            took, rate, codes = load(host, chunk)
            latencies[name] += took
            seconds[name] += len(chunk) / rate
            for code, count in codes.items():
                statuses[name][code] = statuses[name].get(code, 0) + count
    return {
        name: (latencies[name], len(cases[name]) / seconds[name], statuses[name]) for name in cases
    }
