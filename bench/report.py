"""Write docs/performance.md from the raw results of bench/compare.sh (medians and ratios)."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

REFERENCE = "reference-express"
SUT = "connect-backend"
CCT = "POST /auth/createConnectToken"
LOGIN = "POST /auth/completeLogin"
FLOOR = "floor GET /ping (nginx)"
Results = dict[tuple[str, str], list[dict[str, Any]]]
# Everything from this line on in the existing file is hand-written and carried over.
NOTES_MARKER = "<!-- hand-written notes below: bench/report.py keeps them -->"


def _read(path: Path) -> Results:
    runs: Results = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            result = json.loads(line)
            runs[result["name"], result["endpoint"]].append(result)
    return runs


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs) if runs else float("nan")


def _errors(runs: list[dict[str, Any]]) -> int:
    return sum(int(run["non2xx"]) + int(run["errors"]) for run in runs)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _table(runs: Results, targets: dict[str, str]) -> list[str]:
    lines = [
        "| endpoint | side | rps (median) | rps range | p50 ms | p99 ms | errors |"
        " rps ratio | p99 ratio | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for endpoint in (FLOOR, CCT, LOGIN):
        ref, sut = runs.get((REFERENCE, endpoint), []), runs.get((SUT, endpoint), [])
        if not ref or not sut:
            continue
        for name, side in ((REFERENCE, ref), (SUT, sut)):
            rps = [run["rps"] for run in side]
            lines.append(
                f"| {endpoint} | {name} | {_median(side, 'rps'):.0f} |"
                f" {min(rps):.0f}-{max(rps):.0f} | {_median(side, 'p50_ms'):.2f} |"
                f" {_median(side, 'p99_ms'):.2f} | {_errors(side)} | | | |"
            )
        rps_ratio = _median(sut, "rps") / _median(ref, "rps")
        p99_ratio = _median(sut, "p99_ms") / _median(ref, "p99_ms")
        p50_ratio = _median(sut, "p50_ms") / _median(ref, "p50_ms")
        lines.append(
            f"| {endpoint} | **ratio** | | | {p50_ratio:.2f}x | | |"
            f" **{rps_ratio:.2f}x** | **{p99_ratio:.2f}x** | {targets.get(endpoint, '')} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--load", type=Path, required=True)
    parser.add_argument("--latency", type=Path)
    parser.add_argument("--me", type=Path, required=True)
    parser.add_argument("--es256", type=Path, required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--connections", type=int, required=True)
    parser.add_argument("--duration", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--warmup", type=int, required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()

    load = _read(args.load)
    rounds = len(load.get((REFERENCE, CCT), []))
    me = [json.loads(line) for line in args.me.read_text(encoding="utf-8").splitlines() if line]
    es256 = json.loads(args.es256.read_text(encoding="utf-8"))
    ref_cct_rps = _median(load.get((REFERENCE, CCT), []), "rps")
    me_rps = _median(me, "rps")
    # Issue #18: completeLogin writes a session durably, the reference writes nothing.
    targets = {
        CCT: "rps ≥ 2.0x, p99 ≤ 0.5x, 0 errors",
        LOGIN: "rps ≥ 1.5x, p99 ≤ 0.5x, 0 errors",
    }
    out = [
        "# Performance: connect-backend vs. the Express reference",
        "",
        "Written by `bench/compare.sh` (do not edit by hand; run it again). Timing belongs to",
        "benchmarks, not tests: CI does not run it.",
        "",
        "## Machine and configuration",
        "",
        f"- Date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPU: {_cpu_model()}, `nproc` = {os.cpu_count()}; Python {platform.python_version()}",
        f"- Load: wrk, {args.connections} connections, {args.threads} thread(s),"
        f" {args.warmup} s warm-up + {args.duration} s per endpoint, {rounds} interleaved rounds"
        " (reference, connect-backend, ...), medians",
        "- Pinning (`--pin`): the service and the fake Corbado (nginx) on CPU 0, wrk on CPU 1",
        "- connect-backend: `connect-backend serve` (one granian worker, uvloop), SQLite"
        " (the standard library's sqlite3 on the event loop), in-memory deny-list and rate-limit"
        " counters, Corbado through httpx on aiohttp's pool, JSON access log to a file;"
        " behind a trusted proxy (`TRUSTED_PROXIES=127.0.0.1/32`, every request naming its own"
        " client in X-Forwarded-For), default rate limits, every setting as in production",
        "- Reference: ../shared/bench/reference-express (Express 5, fetch, jsonwebtoken ES256)",
        "",
        "## Results at load",
        "",
        *_table(load, targets),
        "",
        "rps ratio > 1: connect-backend serves more; p99 ratio < 1: its tail is shorter. The",
        "floor (nginx alone) should match on both sides; if it does not, the machine was noisy.",
        "",
        f"## GET /auth/me (token verification alone), {args.connections} connections",
        "",
        "| measurement | rps (median) | rps range | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
        f"| connect-backend GET /auth/me | {me_rps:.0f} |"
        f" {min(r['rps'] for r in me):.0f}-{max(r['rps'] for r in me):.0f} |"
        f" {_median(me, 'p50_ms'):.2f} | {_median(me, 'p99_ms'):.2f} |"
        f" {sum(int(r['non2xx']) + int(r['errors']) for r in me)} |",
        f"| reference createConnectToken (same run) | {ref_cct_rps:.0f} | | | | |",
        f"| **ratio** | **{me_rps / ref_cct_rps:.2f}x** (target ≥ 3x) | | | | |",
        "",
        "`/auth/me` verifies the token (signature, header, issuer, audience, claim types, time",
        "rules, deny-list) and reads the user's profile (from the in-process user cache after the",
        "first request); it makes no Corbado call.",
        "",
    ]
    if args.latency is not None and args.latency.exists():
        latency = _read(args.latency)
        out += [
            "## Pure latency: 1 connection",
            "",
            *_table(latency, {CCT: "p50 ≤ 1.0x", LOGIN: "p50 ≤ 1.0x"}),
            "",
        ]
    out += [
        "## One worker's token verification vs. bare ES256 verify",
        "",
        "`bench/es256_verify.py`, pinned to CPU 0, best of five runs:",
        "",
        "| path | µs per verification |",
        "|---|---:|",
        f"| bare ES256 verify (`cryptography`) | {es256['bare_us']:.1f} |",
        f"| `Es256AccessTokens.decode` | {es256['decode_us']:.1f} |",
        f"| decode + `Authenticate` (in-memory deny-list) | {es256['full_us']:.1f} |",
        f"| **ratio full / bare** | **{es256['ratio']:.2f}x** (target ≤ 1.5x) |",
        "",
        "## Reproduce",
        "",
        "```sh",
        args.command,
        "```",
        "",
        "Needs nginx, wrk, node ≥ 20 and npm (see ../shared/bench/README.md); about",
        f"{(rounds * 2 * (3 * args.duration + 2 * args.warmup + 10) + 200) // 60} minutes.",
        "",
    ]
    previous = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    _, marker, notes = previous.partition(NOTES_MARKER)
    out.append(NOTES_MARKER + notes if marker else NOTES_MARKER + "\n")
    args.output.write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()
