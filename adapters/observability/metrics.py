"""Prometheus metrics, in a registry of their own per container (tests build many apps), and where
the worker processes of `serve` keep them, so that one scrape sums them all.

With several worker processes each would answer a scrape with its own counts. There,
`serve` names a directory in `PROMETHEUS_MULTIPROC_DIR` (prometheus-client's own variable,
`shared_metrics_directory`): every process writes its values to memory-mapped files in it, and
a scrape adds up the files of all of them.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client import values as metric_values
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

# The `*_created` series only double what a scrape transfers; Prometheus does not need them.
disable_created_metrics()  # type: ignore[no-untyped-call]

NAMESPACE = "connect_backend"
# From a 1 ms cache hit to an argon2 login under load and a Corbado call near its deadline.
LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@functools.cache
def _values_in_files() -> None:
    # prometheus-client picks its value class once, when first imported; granian forks its
    # workers from a parent that imported it before `serve` set the directory. Once a process:
    # a second value class would append a second copy of every series to the same file.
    metric_values.ValueClass = metric_values.MultiProcessValue()  # type: ignore[no-untyped-call]


class PrometheusMetrics:
    """Every metric the service exports; `/metrics` renders `registry`."""

    def __init__(self) -> None:
        directory = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
        self.registry = CollectorRegistry(auto_describe=True)
        if directory:
            _values_in_files()
        self.http_requests = Counter(
            "http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.http_request_duration = Histogram(
            "http_request_duration_seconds",
            "Time from receiving a request to the start of its response, by route template.",
            ["method", "route"],
            namespace=NAMESPACE,
            buckets=LATENCY_BUCKETS_S,
            registry=self.registry,
        )
        self.corbado_calls = Counter(
            "corbado_calls",
            "Calls to the Corbado Backend API by operation and outcome.",
            ["operation", "outcome"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.corbado_call_duration = Histogram(
            "corbado_call_duration_seconds",
            "Duration of Corbado Backend API calls by operation.",
            ["operation"],
            namespace=NAMESPACE,
            buckets=LATENCY_BUCKETS_S,
            registry=self.registry,
        )
        self.logins = Counter(
            "logins",
            "Login attempts by method (password, passkey) and outcome.",
            ["method", "outcome"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.token_refusals = Counter(
            "access_token_refusals",
            "Bearer access tokens refused, by reason.",
            ["reason"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "rate_limited_requests",
            "Requests refused with 429, by limit.",
            ["limit"],
            namespace=NAMESPACE,
            registry=self.registry,
        )

        self.rate_limit_store_failures = Counter(
            "rate_limit_store_failures",
            "Requests let through uncounted because the rate-limit store failed.",
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.rate_limit_local_counts = Counter(
            "rate_limit_local_counts",
            "Rate-limit hits counted in this process's memory because Redis failed.",
            namespace=NAMESPACE,
            registry=self.registry,
        )
        if directory:
            # The metrics above only write their files; a scrape reads every process's.
            self.registry = CollectorRegistry()
            MultiProcessCollector(self.registry, directory)  # type: ignore[no-untyped-call]

    def observe_corbado_call(self, operation: str, outcome: str, seconds: float) -> None:
        """`CorbadoCallMetrics` for the metered Corbado adapter."""
        self.corbado_call_duration.labels(operation).observe(seconds)
        self.corbado_calls.labels(operation, outcome).inc()

    def render(self, accept: str) -> tuple[bytes, str]:
        """The exposition body and its content type, negotiated from an `Accept` header."""
        encode, content_type = choose_encoder(accept)
        return encode(self.registry), content_type


# The files prometheus-client's multiprocess mode writes, one per metric type and process
# (`counter_1234.db`, `gauge_livesum_1234.db`, ...): the only ones removed from a directory
# an operator named, and the only *.db files it may hold (a SQLite database must not be there).
_METRICS_FILE = re.compile(r"(counter|gauge_[a-z]+|histogram|summary)_\d+\.db")


class ForeignFilesInMetricsDirectory(Exception):
    """The metrics directory holds *.db files that prometheus-client did not write."""

    def __init__(self, directory: Path, names: list[str]) -> None:
        super().__init__(
            f"{directory} holds {', '.join(names)}: prometheus-client would read every *.db"
            " file there as its own; give the metrics a directory of their own"
        )


@contextmanager
def shared_metrics_directory(
    environ: MutableMapping[str, str], *, workers: int
) -> Iterator[Path | None]:
    """The directory the workers started inside this block share, named in `environ`.

    `PROMETHEUS_MULTIPROC_DIR` when set (a tmpfs: the image's root is read-only), emptied now
    of the files an earlier run left (they would be added to this one's counts);
    `ForeignFilesInMetricsDirectory` when it holds other *.db files. Unset and with more
    than one worker: a new directory under the system's temporary one, removed afterwards.
    One worker and no variable: None, and each process keeps its metrics in memory.
    """
    given = environ.get(MULTIPROCESS_DIR_VARIABLE, "").strip()
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        leftovers = list(directory.glob("*.db"))
        foreign = sorted(path.name for path in leftovers if not _METRICS_FILE.fullmatch(path.name))
        if foreign:
            # prometheus-client reads every *.db there as its own: /metrics would fail.
            raise ForeignFilesInMetricsDirectory(directory, foreign)
        for leftover in leftovers:
            leftover.unlink()
        yield directory
        return
    if workers <= 1:
        yield None
        return
    made = Path(tempfile.mkdtemp(prefix="connect-backend-metrics-"))
    environ[MULTIPROCESS_DIR_VARIABLE] = str(made)
    try:
        yield made
    finally:
        environ.pop(MULTIPROCESS_DIR_VARIABLE, None)
        shutil.rmtree(made, ignore_errors=True)
