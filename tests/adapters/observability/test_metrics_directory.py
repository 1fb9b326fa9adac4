"""The directory the workers of `serve` share their metrics through."""

from pathlib import Path

import pytest

from adapters.observability.metrics import (
    ForeignFilesInMetricsDirectory,
    shared_metrics_directory,
)

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def test_a_given_directory_is_emptied_of_an_earlier_runs_files(tmp_path: Path) -> None:
    for earlier in ("counter_1234.db", "gauge_livesum_1234.db", "histogram_7.db", "summary_8.db"):
        (tmp_path / earlier).write_bytes(b"old counts")
    (tmp_path / "kept.txt").write_text("not ours")
    environ = {VARIABLE: str(tmp_path)}
    with shared_metrics_directory(environ, workers=2) as directory:
        assert directory == tmp_path
        assert sorted(path.name for path in tmp_path.iterdir()) == ["kept.txt"]
    assert environ == {VARIABLE: str(tmp_path)}


@pytest.mark.parametrize("name", ["connect.db", "counter_totals.db", "users_1.db"])
def test_a_given_directory_holding_other_db_files_is_refused_untouched(
    tmp_path: Path, name: str
) -> None:
    # prometheus-client reads every *.db file there as its own: /metrics would fail on it.
    (tmp_path / name).write_text("a database")
    (tmp_path / "counter_1234.db").write_bytes(b"old counts")
    with (
        pytest.raises(ForeignFilesInMetricsDirectory, match=name),
        shared_metrics_directory({VARIABLE: str(tmp_path)}, workers=2),
    ):
        pytest.fail("the directory must not be used")
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([name, "counter_1234.db"])


def test_several_workers_without_one_get_a_new_directory_removed_afterwards() -> None:
    environ: dict[str, str] = {}
    with shared_metrics_directory(environ, workers=2) as directory:
        assert directory is not None
        assert directory.is_dir()
        assert environ[VARIABLE] == str(directory)
    assert not directory.exists()
    assert environ == {}


def test_one_worker_without_one_keeps_its_metrics_in_memory() -> None:
    environ: dict[str, str] = {}
    with shared_metrics_directory(environ, workers=1) as directory:
        assert directory is None
        assert environ == {}
