"""vasprun.xml: energy, forces and stress of the phono3py Si-PBE supercells.

The shipped ``si_pbe_phono3py_fc3_disp.extxyz`` (made by ASE from the same files) and
phono3py's ``FORCES_FC3`` are independent conversions to check against.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from ase.io import read

from phonogap.importers import DatasetImportError, import_dataset, vasp_stress_to_virial
from phonogap.schemas.keys import ENERGY_KEY, FORCES_KEY, VIRIAL_KEY

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "importers"
    / "vasprun_si_pbe"
    / "disp-00001"
    / "vasprun.xml"
)


def test_single_file_against_the_xml_numbers():
    dataset = import_dataset("vasprun", FIXTURE, config_type="pair_displacement")
    (atoms,) = dataset.configurations
    assert dataset.sources == ["disp-00001"]
    assert dataset.config_types == ["pair_displacement"]
    # final <calculation> block: e_fr_energy -346.91272162, e_0_energy 0.00000000 (VASP 5.4)
    assert atoms.info[ENERGY_KEY] == -346.91272162
    assert len(atoms) == 64
    np.testing.assert_array_equal(atoms.arrays[FORCES_KEY][0], [-0.38713864, 0.0, 0.0])
    # <varray name="stress"> row 0: -0.01575792 0 0 ; [1, 2] = 0.33484952 kBar
    volume = atoms.get_volume()
    assert volume == pytest.approx(10.93252578**3, rel=1e-8)
    stress = -atoms.info[VIRIAL_KEY] / volume
    assert stress[0, 0] == pytest.approx(0.01575792 / 1602.1766208, rel=1e-12)
    assert stress[1, 2] == stress[2, 1] == pytest.approx(-0.33484952 / 1602.1766208, rel=1e-12)
    # ASE's own vasprun reader (independent code): same stress
    ase_atoms = read(FIXTURE, format="vasp-xml")
    np.testing.assert_allclose(stress, ase_atoms.get_stress(voigt=False), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(atoms.arrays[FORCES_KEY], ase_atoms.get_forces())
    conventions = dataset.provenance["conventions"]
    assert "e_fr_energy" in conventions["energy"]


def test_stress_conversion_sign():
    # 1 kBar of compressive VASP stress on a 1000 Å^3 cell: ASE stress -1/1602.18 eV/Å^3
    virial = vasp_stress_to_virial(np.eye(3), 1000.0)
    np.testing.assert_allclose(virial, np.eye(3) * 1000.0 / 1602.1766208, rtol=1e-12)


def test_e0_energy_of_vasp54_is_refused():
    with pytest.raises(DatasetImportError, match=r"disp-00001.*e_0_energy is 0.0.*e_fr_energy"):
        import_dataset("vasprun", FIXTURE, energy="e_0_energy")


def test_truncated_file_is_named(tmp_path):
    broken = tmp_path / "run" / "vasprun.xml"
    broken.parent.mkdir()
    broken.write_text(FIXTURE.read_text()[:20000])
    with pytest.raises(DatasetImportError, match=r"run/vasprun.xml: not a readable vasprun"):
        import_dataset("vasprun", tmp_path)


def test_directory_and_list(tmp_path):
    for name in ("b", "a"):
        (tmp_path / name).mkdir()
        shutil.copy(FIXTURE, tmp_path / name / "vasprun.xml")
    assert import_dataset("vasprun", tmp_path).sources == ["a", "b"]
    files = [tmp_path / "b" / "vasprun.xml", tmp_path / "a" / "vasprun.xml"]
    assert import_dataset("vasprun", files, source="si").sources == ["si", "si"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"no vasprun\.xml files under"):
        import_dataset("vasprun", tmp_path / "empty")


@pytest.fixture(scope="module")
def si_pbe(bundled_dir):
    folder = bundled_dir / "phono3py_si" / "Si-PBE"
    return folder, import_dataset("vasprun", folder / "vasprun_xmls.tar.lzma")


def test_si_pbe_archive_matches_the_shipped_extxyz(si_pbe):
    folder, dataset = si_pbe
    shipped = read(folder / "si_pbe_phono3py_fc3_disp.extxyz", index=":")
    assert len(dataset.configurations) == len(shipped) == 111
    assert len(dataset.provenance["files"]) == 112  # the archive and each member
    assert dataset.sources == [atoms.info["source"] for atoms in shipped]
    for ours, theirs in zip(dataset.configurations, shipped, strict=True):
        # extxyz values are printed with 8 decimals, like vasprun.xml: energies and forces
        # agree exactly, positions to the last printed digit
        assert ours.info[ENERGY_KEY] == theirs.get_potential_energy()
        np.testing.assert_array_equal(ours.arrays[FORCES_KEY], theirs.get_forces())
        np.testing.assert_allclose(ours.positions, theirs.positions, rtol=0, atol=1e-8)
        # ASE takes the upper triangle of VASP's stress, we average both triangles: they
        # differ in VASP's last printed digit (<= 3e-8 kBar -> <= 3.3e-8 eV on |virial| <= 0.55)
        virial = -theirs.get_stress(voigt=False) * theirs.get_volume()
        np.testing.assert_allclose(ours.info[VIRIAL_KEY], virial, rtol=0, atol=5e-8)


def test_phono3py_import_matches_vasprun(si_pbe):
    folder, from_vasprun = si_pbe
    dataset = import_dataset("phono3py", folder)
    assert dataset.config_types == ["pair_displacement"] * 111
    assert dataset.sources == ["Si-PBE"] * 111
    assert [a.info["displacement_id"] for a in dataset.configurations] == list(range(1, 112))
    supercell = dataset.phonon.supercell.positions
    moved = [
        set(np.flatnonzero(np.abs(a.positions - supercell).max(axis=1) > 1e-9))
        for a in dataset.configurations
    ]
    first = dataset.phonon.dataset["first_atoms"][0]
    expected = [{first["number"]}] + [{first["number"], s["number"]} for s in first["second_atoms"]]
    assert moved == expected  # the single displacement, then the 110 pairs
    for ours, theirs in zip(dataset.configurations, from_vasprun.configurations, strict=True):
        assert ENERGY_KEY not in ours.info and VIRIAL_KEY not in ours.info
        # FORCES_FC3 was written from these vasprun.xml files
        np.testing.assert_array_equal(ours.arrays[FORCES_KEY], theirs.arrays[FORCES_KEY])
        np.testing.assert_allclose(ours.positions, theirs.positions, rtol=0, atol=1e-7)


def test_shipped_extxyz_import_matches_vasprun(si_pbe):
    folder, from_vasprun = si_pbe
    dataset = import_dataset("extxyz", folder / "si_pbe_phono3py_fc3_disp.extxyz")
    assert set(dataset.config_types) == {"phono3py_Si-PBE_fc3_disp"}
    for ours, theirs in zip(dataset.configurations, from_vasprun.configurations, strict=True):
        assert ours.info[ENERGY_KEY] == theirs.info[ENERGY_KEY]
        np.testing.assert_allclose(
            ours.info[VIRIAL_KEY], theirs.info[VIRIAL_KEY], rtol=0, atol=5e-8
        )


@pytest.mark.slow
def test_reference_phono3py_force_constants(bundled_dir):
    """fc2 of the Si-PBE set: Γ optical modes at 15.09 THz (about 7 s, deselected in CI)."""
    from phonopy import Phonopy

    from phonogap.importers import load_reference_phono3py

    phono3py = load_reference_phono3py(bundled_dir / "phono3py_si" / "Si-PBE")
    assert phono3py.fc3.shape == (2, 64, 64, 3, 3, 3)
    phonon = Phonopy(
        phono3py.unitcell,
        supercell_matrix=phono3py.supercell_matrix,
        primitive_matrix=phono3py.primitive_matrix,
    )
    phonon.force_constants = phono3py.fc2
    phonon.run_qpoints([[0, 0, 0]])
    frequencies = phonon.get_qpoints_dict()["frequencies"][0]
    np.testing.assert_allclose(frequencies[3:], 15.0935, atol=1e-3)
