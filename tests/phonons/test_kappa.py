"""Lattice thermal conductivity (phono3py RTA): imported DFT data, SW reference, errors."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from pydantic import ValidationError
from pymatgen.core import Structure

from phonogap.flows.kappa import KappaMaker
from phonogap.phonons.kappa import (
    KappaSettings,
    kappa_from_phono3py_dataset,
    kappa_supercell_matrix,
    kappa_with_reference,
    make_phono3py,
    produce_force_constants,
    run_rta,
)
from phonogap.phonons.kappa_dataset import Phono3pyDatasetError, find_phono3py_files
from phonogap.reference import get_reference
from phonogap.structures.relax import relax_structure

# Stillinger-Weber diamond Si at its own lattice constant (5.43095 Å), 2x2x2 conventional,
# 111 pair displacements of 0.03 Å, 11x11x11 RTA, measured once with phono3py 4.10 (Rust
# kernels): 300 / 600 / 900 K. SW is stiffer and less anharmonic than DFT Si, so kappa is ~4x
# the PBE value (119 W/m K). The computation is deterministic; the 0.5 % tolerance covers
# phono3py's C vs Rust kernels (0.02 % apart here) and a different but equivalent choice of
# displaced atoms (0.2 %, e.g. another origin of the conventional cell).
SW_KAPPA_FD_11 = (500.85, 224.96, 147.03)
SW_TOLERANCE = 5e-3


pytestmark = pytest.mark.filterwarnings("ignore")  # phonopy/phono3py grid and API notices


@pytest.fixture(scope="module")
def sw_diamond(bundled_dir) -> Structure:
    structure = Structure.from_file(bundled_dir / "george2020_castep_phonons" / "POSCAR_diamond")
    return relax_structure(structure, get_reference("sw").calculator()).structure


@pytest.fixture(scope="module")
def sw_fd(sw_diamond):
    return kappa_with_reference(sw_diamond, get_reference("sw"), KappaSettings())


# --- (a) imported DFT data ------------------------------------------------------------------


def test_si_pbe_reproduces_published_kappa(bundled_dir):
    """phono3py README: 119.5 W/m K at 300 K, Si-PBE, 11x11x11, RTA, no isotopes."""
    run = kappa_from_phono3py_dataset(
        bundled_dir / "phono3py_si" / "Si-PBE", KappaSettings(temperatures_k=(300.0,))
    )
    assert run.n_supercells == 111
    assert run.result.at(300.0) == pytest.approx(119.5, rel=5e-3)
    tensor = np.array(run.result.kappa_tensors_w_per_mk[0])
    np.testing.assert_allclose(tensor[:3], tensor[0], rtol=1e-8)  # cubic: isotropic
    np.testing.assert_allclose(tensor[3:], 0.0, atol=1e-8)


@pytest.fixture(scope="module")
def pbesol_fixture(bundled_dir):
    settings = KappaSettings(mesh=(9, 9, 9), temperatures=(300,))
    return kappa_from_phono3py_dataset(bundled_dir / "phono3py_si" / "test", settings)


def test_phono3py_fixture_value(bundled_dir, pbesol_fixture):
    """phono3py's test_kappa_RTA_si: 107.694 W/m K (9x9x9, no isotope, make_r0_average).

    That reference is for full fc; compact fc (used here) gives 107.794 in phono3py's own test,
    both inside its atol of 0.5. Measured here: 107.684 (compact, Rust kernels).
    """
    files = find_phono3py_files(bundled_dir / "phono3py_si" / "test")
    assert files.yaml.name == "phono3py_si_pbesol.yaml"
    assert files.forces_fc3.name == "FORCES_FC3_si_pbesol"
    assert pbesol_fixture.result.at(300.0) == pytest.approx(107.694, rel=1e-3)


def test_isotope_and_boundary_scattering(pbesol_fixture):
    """phono3py's test_kappa_RTA_si_iso: 97.296 W/m K (atol 0.5); a boundary mean free path
    lowers kappa. phono3py 4.10 itself gives 96.83-96.98 for this data depending on kernels (C
    or Rust) and fc layout, hence 1 %."""
    ph3 = pbesol_fixture.phono3py
    isotope = run_rta(ph3, KappaSettings(mesh=(9, 9, 9), temperatures=(300,), is_isotope=True))
    assert isotope.at(300.0) == pytest.approx(97.296, rel=1e-2)
    coarse = KappaSettings(mesh=(5, 5, 5), temperatures=(300,))
    bulk = run_rta(ph3, coarse).at(300.0)
    film = run_rta(ph3, coarse.model_copy(update={"boundary_mfp_um": 0.1})).at(300.0)
    assert film < 0.7 * bulk


# --- (b) Stillinger-Weber reference ------------------------------------------------------------


def test_sw_finite_displacement_kappa(sw_fd):
    result = sw_fd.result
    assert sw_fd.n_supercells == 111
    assert len(sw_fd.phono3py.supercell) == 64
    np.testing.assert_allclose(
        result.kappa_mean_diagonal_w_per_mk, SW_KAPPA_FD_11, rtol=SW_TOLERANCE
    )
    k300, k600, k900 = result.kappa_mean_diagonal_w_per_mk
    # Umklapp-limited: close to 1/T (2.0 and 1.5 for 300->600->900 K)
    assert 1.9 < k300 / k600 < 2.4
    assert 1.4 < k600 / k900 < 1.6
    for tensor in result.kappa_tensors_w_per_mk:
        np.testing.assert_allclose(tensor[:3], tensor[0], rtol=1e-8)
        np.testing.assert_allclose(tensor[3:], 0.0, atol=1e-6 * tensor[0])


def test_random_displacements_agree_with_finite_displacements(sw_diamond, sw_fd):
    """16 random ± supercells (7x fewer than 111) within 2 % of full FD (7x7x7 to stay fast)."""
    coarse = KappaSettings(mesh=(7, 7, 7))
    reference = run_rta(sw_fd.phono3py, coarse).kappa_mean_diagonal_w_per_mk
    settings = coarse.model_copy(
        update={"method": "random_displacements", "n_random_supercells": 16}
    )
    run = kappa_with_reference(sw_diamond, get_reference("sw"), settings)
    assert run.n_supercells == 16
    np.testing.assert_allclose(run.result.kappa_mean_diagonal_w_per_mk, reference, rtol=0.02)


def test_supercell_from_min_length(sw_diamond):
    assert kappa_supercell_matrix(sw_diamond, 10.0) == [[2, 0, 0], [0, 2, 0], [0, 0, 2]]
    assert kappa_supercell_matrix(sw_diamond, 15.0) == [[3, 0, 0], [0, 3, 0], [0, 0, 3]]
    primitive = sw_diamond.get_primitive_structure()
    ph3 = make_phono3py(primitive, KappaSettings())  # conventional cell found from primitive
    assert len(ph3.unitcell) == 8 and len(ph3.supercell) == 64 and len(ph3.primitive) == 2
    ph3 = make_phono3py(
        sw_diamond, KappaSettings(supercell_matrix=[1, 1, 1], phonon_supercell_matrix=[2, 2, 2])
    )
    assert len(ph3.supercell) == 8 and len(ph3.phonon_supercell) == 64
    assert len(ph3.phonon_supercells_with_displacements) == 1


# --- (c) bad input ------------------------------------------------------------------------------


def test_dataset_errors_name_file_and_fix(bundled_dir, tmp_path):
    source = bundled_dir / "phono3py_si" / "Si-PBE"
    with pytest.raises(Phono3pyDatasetError, match="does not exist"):
        kappa_from_phono3py_dataset(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("x")
    with pytest.raises(Phono3pyDatasetError, match=r"no phono3py yaml.*notes\.txt"):
        kappa_from_phono3py_dataset(tmp_path / "empty")
    no_forces = tmp_path / "no_forces"
    no_forces.mkdir()
    shutil.copy(source / "phono3py_disp.yaml", no_forces)
    with pytest.raises(Phono3pyDatasetError, match=r"111 displaced supercells.*FORCES_FC3"):
        kappa_from_phono3py_dataset(no_forces)
    truncated = tmp_path / "truncated"
    truncated.mkdir()
    shutil.copy(source / "phono3py_disp.yaml", truncated)
    lines = (source / "FORCES_FC3").read_text().splitlines()[:1000]
    (truncated / "FORCES_FC3").write_text("\n".join(lines) + "\n")
    with pytest.raises(Phono3pyDatasetError, match=r"FORCES_FC3: \d+ force lines.*7104 lines"):
        kappa_from_phono3py_dataset(truncated)
    with pytest.raises(Phono3pyDatasetError, match="expected"):
        find_phono3py_files(())


def test_settings_validation(sw_diamond):
    with pytest.raises(ValidationError, match="extra"):
        KappaSettings(meshes=(5, 5, 5))
    with pytest.raises(ValidationError, match="even"):
        KappaSettings(method="random_displacements", n_random_supercells=15)
    with pytest.raises(ValidationError, match="integer"):
        KappaSettings(supercell_matrix=[2, 2])
    with pytest.raises(ValidationError, match="determinant"):
        KappaSettings(supercell_matrix=[[1, 0, 0], [0, 1, 0], [0, 0, -1]])
    with pytest.raises(ValidationError):
        KappaSettings(mesh=(0, 5, 5))
    with pytest.raises(ValidationError):
        KappaSettings(temperatures_k=())
    with pytest.raises(ValidationError):
        KappaSettings(method="alm")
    with pytest.raises(ValueError, match=r"underdetermined.*>= 10"):
        make_phono3py(
            sw_diamond, KappaSettings(method="random_displacements", n_random_supercells=8)
        )
    assert KappaSettings(temperatures=(300,)).temperatures_k == (300.0,)
    assert KappaSettings(supercell_matrix=[2, 2, 2]).supercell_matrix[1] == [0, 2, 0]


def test_force_errors(sw_diamond):
    ph3 = make_phono3py(sw_diamond, KappaSettings())
    with pytest.raises(ValueError, match=r"shape \(3, 64, 3\), expected \(111, 64, 3\)"):
        produce_force_constants(ph3, np.zeros((3, 64, 3)))
    forces = np.zeros((111, 64, 3))
    forces[7, 3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN/inf \\(supercell 7\\)"):
        produce_force_constants(ph3, forces)
    with pytest.raises(ValueError, match="phonon_forces"):
        produce_force_constants(ph3, np.zeros((111, 64, 3)), np.zeros((1, 64, 3)))
    with pytest.raises(ValueError, match="no fc2/fc3"):
        run_rta(make_phono3py(sw_diamond, KappaSettings()), KappaSettings())
    with pytest.raises(ValidationError, match="unknown reference backend"):
        KappaMaker(reference="nope")


def test_separate_fc2_supercell_of_another_size_gets_its_own_forces():
    """fc3 and fc2 supercells of different sizes (16 and 54 atoms) are labelled in one pool."""
    from pymatgen.core import Lattice, Structure

    from phonogap.reference.registry import reference_from_spec

    nial = Structure(Lattice.cubic(2.88), ["Ni", "Al"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    emt = reference_from_spec({"backend": "ase", "calculator_class": "ase.calculators.emt.EMT"})
    settings = KappaSettings(
        supercell_matrix=[2, 2, 2],
        phonon_supercell_matrix=[3, 3, 3],
        mesh=(4, 4, 4),
        temperatures_k=(300,),
    )
    run = kappa_with_reference(nial, emt, settings, n_workers=1)
    assert run.n_phonon_supercells == len(run.phono3py.phonon_supercells_with_displacements) > 0
    assert np.asarray(run.phono3py.phonon_forces).shape[1] == 54
    assert np.asarray(run.phono3py.forces).shape[1] == 16
    assert run.result.kappa_mean_diagonal_w_per_mk[0] > 0
