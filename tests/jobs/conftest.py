"""Fixtures of the workflow-layer tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def mock_vasp(monkeypatch, tmp_path):
    """atomate2's mock VASP: ``(reference root, run)`` (skips without atomate2's test utils)."""
    atomate2_vasp = pytest.importorskip("atomate2.utils.testing.vasp")
    ref_root = tmp_path / "vasp_refs"
    patcher = atomate2_vasp.monkeypatch_vasp(monkeypatch, ref_root, nelect=256)
    run = next(patcher)
    yield ref_root, run
    with pytest.raises(StopIteration):
        next(patcher)
