from __future__ import annotations

import re

import numpy as np
import pytest
from pymatgen.core import Structure

from phonogap.structures.allotropes import silicon_allotropes
from phonogap.structures.filters import (
    DroppedStructure,
    filter_max_atoms,
    filter_unchanged_by_relaxation,
)


@pytest.fixture(scope="module")
def cells() -> dict[str, Structure]:
    return {a.mp_id: a.structure for a in silicon_allotropes(["mp-149", "mp-168", "mp-165"])}


def _moved(structure: Structure, amplitude: float, scale: float = 1.0) -> Structure:
    """Copy with a deterministic site displacement (Å) and an isotropic volume scale."""
    moved = structure.copy()
    rng = np.random.default_rng(7)
    for i in range(len(moved)):
        moved.translate_sites([i], rng.normal(size=3) * amplitude, frac_coords=False)
    moved.scale_lattice(moved.volume * scale)
    return moved


def test_small_changes_are_kept_and_large_ones_dropped(cells):
    initial = dict(cells)
    relaxed = {
        "mp-149": _moved(cells["mp-149"], 0.001, scale=1.02),  # noise + 2% volume
        "mp-168": cells["mp-149"].copy(),  # BC8 "relaxed" into diamond
        "mp-165": _moved(cells["mp-165"], 0.002),
    }
    kept, dropped = filter_unchanged_by_relaxation(initial, relaxed)
    assert kept == ["mp-149", "mp-165"]
    assert [d.name for d in dropped] == ["mp-168"]
    reason = dropped[0].reason
    assert "StructureMatcher ltol=0.1, stol=0.1, angle_tol=3" in reason
    volumes = re.search(r"volume ([\d.]+) -> ([\d.]+) Å\^3/atom", reason)
    assert volumes is not None
    v0 = cells["mp-168"].volume / 8
    v1 = cells["mp-149"].volume / 2
    assert float(volumes.group(1)) == pytest.approx(v0, abs=1e-3)
    assert float(volumes.group(2)) == pytest.approx(v1, abs=1e-3)


def test_paper_tolerances_are_tighter_than_pymatgen_defaults(cells):
    # a distortion of ~0.15 (normalised) passes pymatgen's default stol=0.3 but not 0.1
    initial = {"bc8": cells["mp-168"]}
    relaxed = {"bc8": _moved(cells["mp-168"], 0.25)}
    kept, dropped = filter_unchanged_by_relaxation(initial, relaxed)
    assert kept == []
    displacement = re.search(r"RMS ([\d.]+), max ([\d.]+)", dropped[0].reason)
    assert displacement is not None
    assert 0.1 < float(displacement.group(2)) < 0.3
    kept, _ = filter_unchanged_by_relaxation(initial, relaxed, ltol=0.2, stol=0.3, angle_tol=5)
    assert kept == ["bc8"]


def test_missing_and_unexpected_relaxed_structures(cells):
    kept, dropped = filter_unchanged_by_relaxation(
        {"a": cells["mp-149"], "b": cells["mp-168"]}, {"a": cells["mp-149"]}
    )
    assert kept == ["a"]
    assert dropped == [
        DroppedStructure(name="b", reason="no relaxed structure (relaxation missing)")
    ]
    with pytest.raises(ValueError, match="'c'"):
        filter_unchanged_by_relaxation({"a": cells["mp-149"]}, {"c": cells["mp-149"]})


def test_filter_max_atoms_keeps_order_and_names_counts(cells):
    structures = {"bc8": cells["mp-168"], "dia": cells["mp-149"], "hex": cells["mp-165"]}
    kept, dropped = filter_max_atoms(structures, 4)
    assert kept == ["dia", "hex"]
    assert dropped == [
        DroppedStructure(name="bc8", reason="8 atoms in the cell, more than max_atoms=4")
    ]
    assert filter_max_atoms(structures, 8) == (["bc8", "dia", "hex"], [])
    with pytest.raises(ValueError, match="positive"):
        filter_max_atoms(structures, 0)
