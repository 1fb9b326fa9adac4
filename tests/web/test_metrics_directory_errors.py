"""A metrics directory `serve` cannot use is a configuration error naming what to fix."""

import tempfile
from contextlib import ExitStack
from pathlib import Path

import pytest

from entrypoints.configuration import ConfigError
from entrypoints.container import enter_metrics_directory


def test_a_given_directory_that_cannot_be_made_names_its_variable(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    environ = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "a-file" / "metrics")}
    with ExitStack() as stack, pytest.raises(ConfigError) as raised:
        enter_metrics_directory(stack, environ, workers=2)
    assert raised.value.variable == "PROMETHEUS_MULTIPROC_DIR"


def test_without_one_an_unusable_temporary_directory_names_tmpdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "a-file"))
    environ: dict[str, str] = {}
    with ExitStack() as stack, pytest.raises(ConfigError) as raised:
        enter_metrics_directory(stack, environ, workers=2)
    assert raised.value.variable == "TMPDIR"
    assert environ == {}
