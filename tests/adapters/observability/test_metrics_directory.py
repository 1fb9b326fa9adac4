"""The directory the workers of `serve` share their metrics through."""

from pathlib import Path

from adapters.observability.metrics_directory import shared_metrics_directory

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def test_a_given_directory_is_emptied_of_an_earlier_runs_files(tmp_path: Path) -> None:
    for earlier in ("counter_1234.db", "gauge_livesum_1234.db", "histogram_7.db", "summary_8.db"):
        (tmp_path / earlier).write_bytes(b"old counts")
    kept = ["connect.db", "counter_totals.db", "kept.txt", "users_1.db"]
    for name in kept:
        (tmp_path / name).write_text("not ours")
    environ = {VARIABLE: str(tmp_path)}
    with shared_metrics_directory(environ, workers=2) as directory:
        assert directory == tmp_path
        assert sorted(path.name for path in tmp_path.iterdir()) == kept
    assert environ == {VARIABLE: str(tmp_path)}


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
