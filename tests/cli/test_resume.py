"""Resuming: a rerun of the same demo into the same output folder reuses the finished fit."""

from __future__ import annotations

import logging

import pytest

import phonogap.fitting.fit_cache as fit_cache
from phonogap.cli import main


@pytest.fixture
def counted_gap_fit(monkeypatch):
    calls = []
    original = fit_cache.run_gap_fit

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(fit_cache, "run_gap_fit", counting)
    return calls


def test_second_demo_into_the_same_folder_does_not_run_gap_fit(
    tmp_path, monkeypatch, counted_gap_fit
):
    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("PHONOGAP_STORE_CONFIG", raising=False)
    monkeypatch.delenv(fit_cache.FIT_CACHE_VARIABLE, raising=False)
    out = tmp_path / "out"
    assert main(["demo", "--out", str(out)]) == 0
    assert len(counted_gap_fit) == 1
    (entry,) = (out / "jobs" / ".fits").iterdir()
    assert (entry / "gap.xml").is_file()

    messages: list[str] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: messages.append(record.getMessage())
    logging.getLogger(fit_cache.__name__).addHandler(handler)
    try:
        assert main(["demo", "--out", str(out)]) == 0
    finally:
        logging.getLogger(fit_cache.__name__).removeHandler(handler)
    assert len(counted_gap_fit) == 1  # the second run reused the fit
    assert f"reusing the finished fit {entry.name[:12]} from {entry}" in messages


def test_changed_inputs_do_not_reuse_a_fit(tmp_path, counted_gap_fit):
    """Same command line, different training data: a different key, so gap_fit runs."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "training.xyz").write_text("1\n\nSi 0 0 0\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "training.xyz").write_text("1\n\nSi 0 0 0.1\n")
    arguments = ["gap_fit", "atoms_filename=training.xyz", "gap_file=gap.xml"]
    key_a = fit_cache.fit_key(arguments, tmp_path / "a")
    assert key_a == fit_cache.fit_key(arguments, tmp_path / "a")
    assert key_a != fit_cache.fit_key(arguments, tmp_path / "b")
    assert key_a != fit_cache.fit_key([*arguments, "sparse_jitter=1e-8"], tmp_path / "a")
