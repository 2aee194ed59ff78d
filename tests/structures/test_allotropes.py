from __future__ import annotations

import csv
import hashlib
from importlib.resources import files

import numpy as np
import pytest
from pymatgen.core import Structure
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from phonogap.structures.allotropes import (
    allotrope_ids,
    allotrope_provenance,
    silicon_allotropes,
)

PAPER_ORDER = [
    (22, "mp-149"),
    (24, "mp-165"),
    (25, "mp-168"),
    (28, "mp-571520"),
    (9, "mp-1095269"),
    (33, "mp-971662"),
    (23, "mp-16220"),
    (5, "mp-1072544"),
    (6, "mp-1079297"),
    (15, "mp-1200830"),
    (18, "mp-1203790"),
    (32, "mp-971661"),
    (34, "mp-999200"),
]


def test_all_thirteen_in_paper_order():
    allotropes = silicon_allotropes()
    assert [(a.refdata_index, a.mp_id) for a in allotropes] == PAPER_ORDER
    assert allotrope_ids() == [mp_id for _, mp_id in PAPER_ORDER]
    names = {a.mp_id: a.name for a in allotropes}
    assert names["mp-149"] == "diamond"
    assert names["mp-168"] == "BC8"
    assert names["mp-971662"] == "clathrate-I (Si46)"
    assert names["mp-1072544"] == "mp-1072544"  # no established common name


def test_space_groups_and_sizes_match_the_structures():
    entries = {e["mp_id"]: e for e in allotrope_provenance()["allotropes"]}
    for allotrope in silicon_allotropes():
        sga = SpacegroupAnalyzer(allotrope.structure, symprec=1e-3)
        assert sga.get_space_group_symbol() == allotrope.space_group, allotrope.mp_id
        assert len(allotrope.structure) == entries[allotrope.mp_id]["n_atoms"]
        assert allotrope.structure.composition.reduced_formula == "Si"


def test_package_data_checksums_and_licence():
    provenance = allotrope_provenance()
    assert provenance["license"] == "BSD-3-Clause"
    assert provenance["source_commit"] == "be12e0d"
    data = files("phonogap").joinpath("data", "allotropes")
    assert "Copyright (c) 2020, J. George" in data.joinpath("LICENSE").read_text()
    for entry in provenance["allotropes"]:
        digest = hashlib.sha256(data.joinpath(entry["file"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"], entry["file"]


def test_subset_order_and_unknown_id():
    subset = silicon_allotropes(["mp-168", "mp-149"])
    assert [a.mp_id for a in subset] == ["mp-168", "mp-149"]
    with pytest.raises(KeyError, match=r"mp-0.*valid ids: mp-149, mp-165"):
        silicon_allotropes(["mp-149", "mp-0"])


def test_each_call_returns_fresh_structures():
    first = silicon_allotropes(["mp-149"])[0].structure
    first.scale_lattice(100.0)
    assert silicon_allotropes(["mp-149"])[0].structure.volume == pytest.approx(40.73, abs=0.01)


def test_matches_the_bundled_castep_data(bundled_dir):
    base = bundled_dir / "george2020_castep_phonons"
    with open(base / "structure_index.csv") as handle:
        rows = {int(row["index"]): row for row in csv.DictReader(handle)}
    for allotrope in silicon_allotropes():
        row = rows[allotrope.refdata_index]
        assert row["in_13_dyn_stable_set"] == "True"
        assert row["mp_id(per upstream script)"] == allotrope.mp_id
        diagonal = [int(x) for x in row["supercell_diag"].split("x")]
        assert np.array_equal(allotrope.dft_supercell_matrix, np.diag(diagonal))
        original = Structure.from_file(
            base / "structures" / f"{allotrope.refdata_index}_{allotrope.mp_id}.vasp"
        )
        assert np.allclose(original.lattice.matrix, allotrope.structure.lattice.matrix)
        assert np.allclose(original.frac_coords, allotrope.structure.frac_coords)
