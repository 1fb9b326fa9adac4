"""CPU time the metrics of one request cost, in memory and in multiprocess files.

    .venv/bin/python -m bench.metrics_cost

What the middleware records per request (one counter, one histogram), N times in a fresh
process each way: prometheus-client picks its value class at import.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

ROUNDS = 100_000


def _measure() -> float:
    from adapters.observability.metrics import PrometheusMetrics

    metrics = PrometheusMetrics()
    started = time.process_time()
    for _ in range(ROUNDS):
        metrics.http_requests.labels("GET", "/auth/me", "200").inc()
        metrics.http_request_duration.labels("GET", "/auth/me").observe(0.0004)
    return (time.process_time() - started) / ROUNDS * 1e6


def main() -> None:
    if "--child" in sys.argv:
        print(f"{_measure():.2f}")
        return
    with tempfile.TemporaryDirectory() as directory:
        for mode in ("memory", "files", "memory", "files"):
            env = dict(os.environ)
            env.pop("PROMETHEUS_MULTIPROC_DIR", None)
            if mode == "files":
                env["PROMETHEUS_MULTIPROC_DIR"] = directory
            child = [sys.executable, "-m", "bench.metrics_cost", "--child"]
            us = subprocess.run(child, env=env, capture_output=True, text=True, check=True)  # noqa: S603
            print(f"{mode}: {us.stdout.strip()} us per request's metrics")


if __name__ == "__main__":
    main()
