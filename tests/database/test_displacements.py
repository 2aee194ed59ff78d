from __future__ import annotations

import json

import numpy as np
import pytest
from phonopy.structure.atoms import PhonopyAtoms
from pymatgen.io.ase import AseAtomsAdaptor

from phonogap.database.displacements import (
    as_training_configurations,
    single_displacement_supercells,
)
from phonogap.phonons.setup import phonopy_from_setup
from phonogap.schemas.keys import CONFIG_TYPE_KEY, SINGLE_DISPLACEMENT, SOURCE_KEY
from phonogap.structures.allotropes import silicon_allotropes

# index in structure_index.csv -> (mp id, number of displacements there)
EXPECTED = {6: ("mp-1079297", 16), 9: ("mp-1095269", 12), 25: ("mp-168", 2), 22: ("mp-149", 1)}


@pytest.fixture(scope="module")
def built():
    allotropes = silicon_allotropes([mp_id for mp_id, _ in EXPECTED.values()])
    return {
        a.refdata_index: single_displacement_supercells(
            a.structure, a.dft_supercell_matrix, source=a.mp_id
        )
        for a in allotropes
    }


@pytest.mark.parametrize("index", sorted(EXPECTED))
def test_counts_match_the_dft_datasets(built, index):
    configurations, setup = built[index]
    assert len(configurations) == setup["n_displacements"] == EXPECTED[index][1]
    assert len(setup["displacement_dataset"]["first_atoms"]) == EXPECTED[index][1]


def test_displaced_atom_moves_by_exactly_0_01_angstrom(built):
    configurations, setup = built[6]
    perfect = phonopy_from_setup(setup, primitive_matrix="P").supercell
    reference = np.asarray(perfect.scaled_positions)
    for atoms in configurations:
        delta = atoms.get_scaled_positions(wrap=False) - reference
        delta -= np.round(delta)
        moved = np.linalg.norm(delta @ atoms.cell.array, axis=1)
        index = atoms.info["displaced_atom"]
        assert moved[index] == pytest.approx(0.01, abs=1e-12)
        assert np.delete(moved, index).max() < 1e-12
        assert np.allclose(atoms.cell.array, perfect.cell)


def test_info_keys_and_serialisable_setup(built):
    configurations, setup = built[9]
    assert [a.info["displacement_index"] for a in configurations] == list(range(12))
    for atoms in configurations:
        assert atoms.info[CONFIG_TYPE_KEY] == SINGLE_DISPLACEMENT
        assert atoms.info[SOURCE_KEY] == "mp-1095269"
        assert atoms.pbc.all()
        assert len(atoms) == 12 * 18
    restored = json.loads(json.dumps(setup))
    assert restored["supercell_matrix"] == [[3, 0, 0], [0, 3, 0], [0, 0, 2]]
    assert restored["displacement_ang"] == 0.01


def test_phonopy_rebuilt_from_setup_gives_the_same_supercells(built):
    configurations, setup = built[25]
    phonon = phonopy_from_setup(json.loads(json.dumps(setup)), primitive_matrix="P")
    rebuilt = phonon.supercells_with_displacements
    assert len(rebuilt) == len(configurations)
    for atoms, cell in zip(configurations, rebuilt, strict=True):
        assert np.allclose(atoms.get_scaled_positions(wrap=False), cell.scaled_positions)


def test_as_training_configurations_accepts_structures_and_phonopy_atoms(built):
    configurations, setup = built[22]
    phonopy_cells = [
        PhonopyAtoms(
            symbols=a.get_chemical_symbols(),
            cell=a.cell.array,
            scaled_positions=a.get_scaled_positions(wrap=False),
        )
        for a in configurations
    ]
    structures = [AseAtomsAdaptor.get_structure(a) for a in configurations]
    for cells in (phonopy_cells, structures):
        converted = as_training_configurations(cells, "dia", setup["displacement_dataset"])
        assert converted[0].info["displaced_atom"] == configurations[0].info["displaced_atom"]
        assert np.allclose(converted[0].positions, configurations[0].positions)
        assert converted[0].info[SOURCE_KEY] == "dia"
    with pytest.raises(ValueError, match="2 supercells but 1 displacements"):
        as_training_configurations(structures * 2, "dia", setup["displacement_dataset"])


def test_matches_the_displacements_of_the_dft_phonopy_file(bundled_dir, built):
    import phonopy

    path = bundled_dir / "george2020_castep_phonons" / "phonopy_yaml" / "25_phonopy.yaml"
    dft = phonopy.load(path, produce_fc=False, log_level=0)
    ours = built[25][1]["displacement_dataset"]["first_atoms"]
    theirs = dft.dataset["first_atoms"]
    assert [d["number"] for d in ours] == [d["number"] for d in theirs]
    for mine, dft_entry in zip(ours, theirs, strict=True):  # same atoms, same directions
        assert np.allclose(mine["displacement"], dft_entry["displacement"], atol=1e-12)
