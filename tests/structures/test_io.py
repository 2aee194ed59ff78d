from __future__ import annotations

import json

import numpy as np
import pytest
from ase.io import write
from pymatgen.core import Lattice, Structure
from pymatgen.io.ase import AseAtomsAdaptor
from pymatgen.io.cif import CifWriter

from phonogap.structures.io import (
    StructureInputError,
    load_structure,
    load_structures,
    validate_structure,
)


@pytest.fixture
def diamond() -> Structure:
    fcc = Lattice(np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]]) * 5.431 / 2)
    return Structure(fcc, ["Si"] * 2, [[0, 0, 0], [0.25, 0.25, 0.25]])


def _same(a: Structure, b: Structure) -> bool:
    return np.allclose(a.lattice.matrix, b.lattice.matrix, atol=1e-6) and np.allclose(
        a.frac_coords, b.frac_coords, atol=1e-6
    )


def test_reads_poscar_cif_json_and_extxyz(tmp_path, diamond):
    diamond.to(filename=str(tmp_path / "POSCAR"), fmt="poscar")
    diamond.to(filename=str(tmp_path / "d.vasp"), fmt="poscar")
    CifWriter(diamond).write_file(tmp_path / "d.cif")
    (tmp_path / "d.json").write_text(json.dumps(diamond.as_dict()))
    write(tmp_path / "d.extxyz", AseAtomsAdaptor.get_atoms(diamond), format="extxyz")
    for name in ("POSCAR", "d.vasp", "d.json", "d.extxyz"):
        assert _same(load_structure(tmp_path / name), diamond), name
    from_cif = load_structure(tmp_path / "d.cif")  # CIF stores cell parameters only
    assert len(from_cif) == 2
    assert from_cif.volume == pytest.approx(diamond.volume, rel=1e-6)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nowhere\.cif"):
        load_structure(tmp_path / "nowhere.cif")


def test_unknown_extension_says_what_is_expected(tmp_path):
    path = tmp_path / "structure.txt"
    path.write_text("hello")
    with pytest.raises(StructureInputError, match=r"structure\.txt.*expected CIF"):
        load_structure(path)


@pytest.mark.parametrize(
    ("name", "text", "match"),
    [
        ("bad.vasp", "Si\n1.0\nnot a lattice\n", "could not be read as poscar"),
        ("bad.cif", "data_x\n_cell_length_a 5\n", "could not be read as cif"),
        ("bad.json", "{not json", "not valid JSON"),
        ("other.json", '{"energy": 1.0}', "not a pymatgen Structure"),
    ],
)
def test_malformed_files_raise_structure_input_error(tmp_path, name, text, match):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(StructureInputError, match=match) as info:
        load_structure(path)
    assert name in str(info.value)
    assert isinstance(info.value, ValueError)


def test_atoms_too_close_names_file_and_pair(tmp_path):
    structure = Structure(
        Lattice.cubic(5.0), ["Si", "Si", "Si"], [[0, 0, 0], [0.5] * 3, [0.04] * 3]
    )
    path = tmp_path / "close.json"
    path.write_text(json.dumps(structure.as_dict()))
    with pytest.raises(StructureInputError, match=r"close\.json: atom 0 \(Si\) and atom 2 \(Si\)"):
        load_structure(path)


def test_validation_rejects_disorder_and_tiny_cells():
    disordered = Structure(Lattice.cubic(5.0), [{"Si": 0.5, "Ge": 0.5}], [[0, 0, 0]])
    with pytest.raises(StructureInputError, match="disordered"):
        validate_structure(disordered, "x")
    tiny = Structure(Lattice.cubic(0.4), ["Si"], [[0, 0, 0]])
    with pytest.raises(StructureInputError, match="periodic image of itself"):
        validate_structure(tiny, "x")


def test_multi_frame_extxyz_is_rejected(tmp_path, diamond):
    atoms = AseAtomsAdaptor.get_atoms(diamond)
    write(tmp_path / "two.xyz", [atoms, atoms], format="extxyz")
    with pytest.raises(StructureInputError, match="2 frames"):
        load_structure(tmp_path / "two.xyz")


def test_load_structures_from_directory_and_list(tmp_path, diamond):
    diamond.to(filename=str(tmp_path / "b_diamond.vasp"), fmt="poscar")
    (tmp_path / "a_diamond.json").write_text(json.dumps(diamond.as_dict()))
    (tmp_path / "README.txt").write_text("not a structure")
    loaded = load_structures(tmp_path)
    assert list(loaded) == ["a_diamond", "b_diamond"]
    listed = load_structures([tmp_path / "b_diamond.vasp", tmp_path / "a_diamond.json"])
    assert list(listed) == ["b_diamond", "a_diamond"]


def test_load_structures_errors(tmp_path, diamond):
    with pytest.raises(StructureInputError, match="no structure files"):
        load_structures(tmp_path)
    diamond.to(filename=str(tmp_path / "x.vasp"), fmt="poscar")
    (tmp_path / "x.json").write_text(json.dumps(diamond.as_dict()))
    with pytest.raises(StructureInputError, match="same name 'x'"):
        load_structures(tmp_path)
