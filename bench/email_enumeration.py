"""Benchmark: does `POST /auth/recovery` take longer for an address an account holds?

    .venv/bin/python bench/email_enumeration.py [--rounds 400]

Starts `connect-backend dev` (granian, its real worker; mail to dev's outbox) on a free loopback
port with the mail limits lifted, registers one account, then sends recovery requests for the
known address and for unknown ones, interleaved in random order over one kept-alive connection,
and prints the latency of each kind (median, p10, p90, mean) and the difference of medians with
a 95% bootstrap interval. An interval that holds 0 means no split is measurable here. Not a CI
test: wall-clock on a shared 2-core machine is noisy, which is why the kinds are interleaved.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.servers import free_port
from tests.support.services import base_environment, running_service

KNOWN = "jane@example.com"
WARM_UP = 50


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bootstrap_median_difference(
    known: list[float], unknown: list[float], draws: int = 2000
) -> tuple[float, float]:
    rng = random.Random(7)  # noqa: S311 - resampling, not a secret
    differences = sorted(
        statistics.median(rng.choices(known, k=len(known)))
        - statistics.median(rng.choices(unknown, k=len(unknown)))
        for _ in range(draws)
    )
    return differences[int(0.025 * draws)], differences[int(0.975 * draws)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=400, help="requests of each kind")
    rounds = parser.parse_args().rounds
    port = free_port()
    env = base_environment(
        PORT=str(port),
        RATE_LIMIT_EMAIL_PER_MINUTE="1000000000",
        RATE_LIMIT_MAIL_ACCOUNT_PER_HOUR="1000000000",
    )
    with (
        tempfile.TemporaryDirectory() as workdir,
        running_service(["dev"], env, Path(workdir)) as base_url,
        httpx.Client(base_url=base_url, timeout=10) as client,
    ):
        client.post(
            "/auth/register",
            json={"email": KNOWN, "password": "correct horse battery", "displayName": "Jane"},
        ).raise_for_status()
        kinds = ["known"] * rounds + ["unknown"] * rounds
        random.Random(1).shuffle(kinds)  # noqa: S311 - an order, not a secret
        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        for index, kind in enumerate(["known", "unknown"] * WARM_UP + kinds):
            email = KNOWN if kind == "known" else f"nobody{index}@example.com"
            started = time.perf_counter()
            response = client.post("/auth/recovery", json={"email": email})
            elapsed = time.perf_counter() - started
            assert response.status_code == 202, response.text
            if index >= 2 * WARM_UP:
                timings[kind].append(elapsed * 1000)
    for kind, values in timings.items():
        print(
            f"{kind:8} n={len(values)} median={statistics.median(values):.3f} ms "
            f"p10={percentile(values, 0.1):.3f} p90={percentile(values, 0.9):.3f} "
            f"mean={statistics.fmean(values):.3f}"
        )
    difference = statistics.median(timings["known"]) - statistics.median(timings["unknown"])
    low, high = bootstrap_median_difference(timings["known"], timings["unknown"])
    print(
        f"known - unknown median: {difference:+.3f} ms "
        f"(95% bootstrap interval {low:+.3f} to {high:+.3f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
