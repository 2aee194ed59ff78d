"""phonopy datasets: displaced supercells as configurations, phonons reproduced exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import phonopy
import pytest
from phonopy.file_IO import write_FORCE_SETS

from phonogap.importers import (
    DatasetImportError,
    import_dataset,
    load_reference_phonopy,
    phonopy_from_dataset,
)
from phonogap.phonons.benchmark import single_displacement_forces
from phonogap.phonons.harmonic import band_frequencies
from phonogap.schemas.configuration import to_configurations
from phonogap.schemas.dataset import PhononSetup
from phonogap.schemas.keys import (
    DISPLACEMENT_INDEX_KEY,
    ENERGY_KEY,
    FORCES_KEY,
    SINGLE_DISPLACEMENT,
    VIRIAL_KEY,
)

DIAMOND = Path(__file__).resolve().parents[1] / "data" / "phonons" / "22_phonopy.yaml"
QPOINTS = np.array([[0, 0, 0], [0.5, 0, 0], [0.5, 0.5, 0], [0.1, 0.2, 0.3], [0.5, 0.5, 0.5]])


def _check_configurations(dataset, raw):
    """Positions are phonopy's displaced supercells exactly; forces are the file's."""
    supercell = raw.supercell.positions
    records = raw.dataset["first_atoms"]
    assert len(dataset.configurations) == len(records)
    for index, (atoms, record) in enumerate(zip(dataset.configurations, records, strict=True)):
        assert atoms.info[DISPLACEMENT_INDEX_KEY] == index
        assert atoms.info["config_type"] == SINGLE_DISPLACEMENT
        assert ENERGY_KEY not in atoms.info and VIRIAL_KEY not in atoms.info
        np.testing.assert_array_equal(atoms.get_chemical_symbols(), raw.supercell.symbols)
        np.testing.assert_array_equal(atoms.cell.array, raw.supercell.cell)
        shift = atoms.positions - supercell
        expected = np.zeros_like(shift)
        expected[record["number"]] = record["displacement"]
        np.testing.assert_allclose(shift, expected, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(atoms.arrays[FORCES_KEY], record["forces"])


def _check_frequencies(dataset, path):
    reference = load_reference_phonopy(path)
    rebuilt = phonopy_from_dataset(dataset)
    np.testing.assert_allclose(rebuilt.primitive_matrix, reference.primitive_matrix)
    expected = band_frequencies(reference, QPOINTS)
    np.testing.assert_allclose(band_frequencies(rebuilt, QPOINTS), expected, rtol=0, atol=1e-10)
    return expected


def test_diamond_reproduces_phonopy_frequencies():
    dataset = import_dataset("phonopy", DIAMOND, source="mp-149")
    raw = phonopy.load(DIAMOND, produce_fc=False)
    _check_configurations(dataset, raw)
    expected = _check_frequencies(dataset, DIAMOND)
    assert expected[2, -1] > 10  # a real spectrum (Si optical modes ~15 THz at X)
    assert dataset.phonopy_yaml == DIAMOND
    assert dataset.provenance["files"][0]["path"] == str(DIAMOND.resolve())
    # what the phonon-benchmark flow needs: a PhononSetup and forces found by source/index
    setup = PhononSetup(name="mp-149", **dataset.phonon_setup)
    assert setup.n_displacements == 1 and setup.displacement_ang == pytest.approx(0.01)
    forces = single_displacement_forces(
        to_configurations(dataset.configurations), "mp-149", setup.n_displacements
    )
    np.testing.assert_array_equal(forces, [dataset.configurations[0].arrays[FORCES_KEY]])


def test_low_symmetry_allotrope_reproduces_phonopy_frequencies(bundled_dir):
    path = bundled_dir / "george2020_castep_phonons" / "phonopy_yaml" / "6_phonopy.yaml"
    dataset = import_dataset("phonopy", path)
    assert dataset.sources == ["6_phonopy"] * 16
    _check_configurations(dataset, dataset.phonon)
    _check_frequencies(dataset, path)


@pytest.fixture
def force_sets_dir(tmp_path):
    raw = phonopy.load(DIAMOND, produce_fc=False)
    raw.save(tmp_path / "phonopy_disp.yaml", settings={"force_sets": False})
    write_FORCE_SETS(raw.dataset, filename=tmp_path / "FORCE_SETS")
    return tmp_path


def test_force_sets_give_the_same_configurations(force_sets_dir):
    from_yaml = import_dataset("phonopy", DIAMOND)
    from_sets = import_dataset("phonopy", force_sets_dir)
    assert from_sets.sources == [force_sets_dir.name]
    assert [Path(f["path"]).name for f in from_sets.provenance["files"]] == [
        "phonopy_disp.yaml",
        "FORCE_SETS",
    ]
    a, b = from_yaml.configurations[0], from_sets.configurations[0]
    np.testing.assert_allclose(b.positions, a.positions, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.arrays[FORCES_KEY], a.arrays[FORCES_KEY], rtol=0, atol=1e-9)


def test_yaml_without_forces_fails_and_ignores_cwd_force_sets(force_sets_dir, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.move(force_sets_dir / "FORCE_SETS", elsewhere / "FORCE_SETS")
    with pytest.raises(DatasetImportError, match=r"displacement 1 has no forces; give the FORC"):
        import_dataset("phonopy", force_sets_dir / "phonopy_disp.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(elsewhere)
        with pytest.raises(DatasetImportError, match=r"has no forces.*force_sets option"):
            import_dataset("phonopy", force_sets_dir / "phonopy_disp.yaml")
    with_option = import_dataset(
        "phonopy", force_sets_dir / "phonopy_disp.yaml", force_sets=elsewhere / "FORCE_SETS"
    )
    assert len(with_option.configurations) == 1


def test_missing_yaml_in_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no phonopy YAML .* in directory"):
        import_dataset("phonopy", tmp_path)


def test_nac_parameters_in_the_yaml_reach_the_phonon_setup(tmp_path):
    """A polar crystal's phonopy YAML (nac section) gives its setup the NAC parameters."""
    raw = phonopy.load(DIAMOND, produce_fc=False, is_nac=False)
    n = len(raw.primitive)
    born = np.array([(-1) ** i * 0.5 * np.eye(3) for i in range(n)])  # made-up, neutral
    raw.nac_params = {"born": born, "dielectric": 11.7 * np.eye(3), "factor": 14.4}
    raw.save(tmp_path / "phonopy_params.yaml")
    dataset = import_dataset("phonopy", tmp_path / "phonopy_params.yaml")
    nac = dataset.phonon_setup["nac_params"]
    np.testing.assert_allclose(nac["born"], born)
    assert nac["dielectric"][0][0] == pytest.approx(11.7) and nac["factor"] == 14.4
    rebuilt = phonopy_from_dataset(dataset)
    np.testing.assert_allclose(rebuilt.nac_params["born"], born)
    plain = import_dataset("phonopy", DIAMOND)
    assert plain.phonon_setup["nac_params"] is None
