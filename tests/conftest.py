"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def refdata_dir() -> Path:
    """Return ``../shared/refdata`` next to the repository, or skip if it is absent."""
    path = Path(__file__).resolve().parents[1].parent / "shared" / "refdata"
    if not path.is_dir():
        pytest.skip(f"shared reference data not found at {path} (only in the dev setup)")
    return path
