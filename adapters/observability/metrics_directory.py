"""Where the worker processes of `serve` keep their metrics, so that one scrape sums them all."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

from adapters.observability.prometheus_metrics import MULTIPROCESS_DIR_VARIABLE

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


__all__ = ["ForeignFilesInMetricsDirectory", "shared_metrics_directory"]
