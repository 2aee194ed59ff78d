"""Fixtures of the workflow-layer tests."""

from __future__ import annotations

import atomate2.utils.testing.vasp as atomate2_vasp
import pytest


@pytest.fixture
def mock_vasp(monkeypatch, tmp_path):
    """atomate2's mock VASP: ``(reference root, run)``."""
    ref_root = tmp_path / "vasp_refs"
    patcher = atomate2_vasp.monkeypatch_vasp(monkeypatch, ref_root, nelect=256)
    run = next(patcher)
    yield ref_root, run
    with pytest.raises(StopIteration):
        next(patcher)
