from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import phonopy
import pytest
from phonopy.interface.phonopy_yaml import PhonopyYaml

from phonogap.phonons.band_path import setyawan_curtarolo_path
from phonogap.phonons.comparison import (
    IMAGINARY_TOLERANCE_THZ,
    PhononComparison,
    compare_phonons,
    compare_phonopy_files,
    load_phonopy_file,
    qpoints_in_other_basis,
    rms_error_thz,
)
from phonogap.phonons.harmonic import make_phonopy, phonopy_atoms_to_structure, set_forces

DIAMOND_YAML = Path(__file__).parents[1] / "data" / "phonons" / "22_phonopy.yaml"


@pytest.fixture(scope="module")
def reference():
    """Diamond DFT phonons, loaded with phonopy itself (symmetrised force constants)."""
    return phonopy.load(DIAMOND_YAML, produce_fc=True, is_nac=False)


@pytest.fixture(scope="module")
def scaled_yaml(tmp_path_factory):
    """The diamond dataset with all forces multiplied by 1.1, written with phonopy."""
    phonon = phonopy.load(DIAMOND_YAML, produce_fc=False, is_nac=False)
    phonon.forces = 1.1 * np.asarray(phonon.forces)
    out = tmp_path_factory.mktemp("scaled") / "diamond_x1.1_phonopy.yaml"
    phonon.save(out)
    return out


def independent_band_frequencies(phonon, segments: list[np.ndarray]) -> np.ndarray:
    phonon.run_band_structure(segments)
    return np.sort(np.concatenate(phonon.band_structure.frequencies), axis=1)


def test_self_comparison_is_exactly_zero():
    result = compare_phonopy_files(DIAMOND_YAML, DIAMOND_YAML)
    assert isinstance(result, PhononComparison)
    assert result.rms_thz == 0.0
    assert result.max_abs_thz == 0.0
    assert (result.n_qpoints, result.n_bands) == (510, 6)
    assert not result.imaginary_reference
    assert not result.imaginary_potential
    assert not result.false_instability
    assert abs(result.min_frequency_reference_thz) < 1e-4
    assert result.as_dict()["rms_thz"] == 0.0
    assert result.as_dict()["imaginary_tolerance_thz"] == IMAGINARY_TOLERANCE_THZ


def test_scaled_forces_rms(reference, scaled_yaml):
    result = compare_phonopy_files(DIAMOND_YAML, scaled_yaml)
    path = setyawan_curtarolo_path(reference)
    ref = independent_band_frequencies(reference, path.segment_qpoints)
    scaled = independent_band_frequencies(
        phonopy.load(scaled_yaml, produce_fc=True, is_nac=False), path.segment_qpoints
    )
    direct = np.sqrt(np.mean((scaled - ref) ** 2))
    assert result.rms_thz == pytest.approx(direct, abs=1e-10)
    # force constants scale by 1.1, so every frequency by sqrt(1.1)
    expected = (np.sqrt(1.1) - 1) * np.sqrt(np.mean(ref**2))
    assert result.rms_thz == pytest.approx(expected, abs=1e-10)
    assert result.rms_thz == pytest.approx(0.5163, abs=1e-4)  # measured
    assert result.max_abs_thz == pytest.approx((np.sqrt(1.1) - 1) * ref.max(), abs=1e-9)
    assert not result.false_instability


def shifted(reference, shift_thz2: float):
    """Copy of the reference with omega^2 shifted by ``shift_thz2`` at every q-point.

    An on-site spring -k on every atom adds -k/m to the dynamical matrix; with
    k = m |shift| / factor^2 every eigenvalue moves by ``shift_thz2`` THz^2. With a negative
    shift the acoustic branches near Γ become imaginary (a false instability), the optical
    branches stay real.
    """
    other = make_phonopy(phonopy_atoms_to_structure(reference.unitcell), reference.supercell_matrix)
    fc = np.array(reference.force_constants)
    factor = reference.unit_conversion_factor
    for i_prim, i_super in enumerate(reference.primitive.p2s_map):
        mass = reference.primitive.masses[i_prim]
        fc[i_prim, i_super] -= np.eye(3) * mass * (-shift_thz2) / factor**2
    other.force_constants = fc
    return other


def test_false_instability_flagged(reference):
    soft = shifted(reference, -1.0)
    result, path, ref, pot = compare_phonons(reference, soft)
    assert result.imaginary_potential
    assert not result.imaginary_reference
    assert result.false_instability
    # acoustic modes at Γ: omega^2 = -1 THz^2 -> -1 THz (phonopy's sign convention)
    assert result.min_frequency_potential_thz == pytest.approx(-1.0, abs=1e-4)
    gamma = path.index_of("Γ")
    np.testing.assert_allclose(pot[gamma, 3:], np.sqrt(ref[gamma, 3:] ** 2 - 1.0), atol=1e-6)
    # reversed roles: an unstable reference is not a false instability of the potential
    reverse = compare_phonons(soft, reference)[0]
    assert reverse.imaginary_reference and not reverse.imaginary_potential
    assert not reverse.false_instability


def test_small_negative_noise_is_not_imaginary(reference):
    # -0.02^2 THz^2 at Γ: the size of the raw (unsymmetrised) DFT noise
    result = compare_phonons(reference, shifted(reference, -(0.02**2)), mesh=None)[0]
    assert result.min_frequency_potential_thz == pytest.approx(-0.02, abs=1e-4)
    assert not result.imaginary_potential
    assert not result.false_instability


@pytest.mark.filterwarnings("ignore:Warning. Point group symmetries")
def test_other_basis_and_strain_checks(reference):
    structure = phonopy_atoms_to_structure(reference.unitcell)
    q = np.array([[0.5, 0.0, 0.5], [0.1, 0.2, 0.3]])
    strained = structure.copy()
    strained.scale_lattice(structure.volume * 1.06)
    np.testing.assert_allclose(
        qpoints_in_other_basis(reference, make_phonopy(strained, [1, 1, 1]), q), q
    )
    too_far = structure.copy()
    too_far.scale_lattice(structure.volume * 1.5)
    with pytest.raises(ValueError, match="metric change"):
        qpoints_in_other_basis(reference, make_phonopy(too_far, [1, 1, 1]), q)
    bigger = make_phonopy(structure * [2, 1, 1], [1, 1, 1])
    with pytest.raises(ValueError, match="cells differ"):
        qpoints_in_other_basis(reference, bigger, q)


def test_yaml_reference_against_auto_primitive(bundled_dir):
    # hexagonal mp-165: the YAML stores primitive_matrix = identity, phonopy's "auto"
    # picks another basis; the same forces must still give the same bands.
    yaml = bundled_dir / "george2020_castep_phonons" / "phonopy_yaml" / "24_phonopy.yaml"
    reference = load_phonopy_file(yaml, symmetrize=False)
    other = make_phonopy(phonopy_atoms_to_structure(reference.unitcell), [4, 4, 3])
    assert not np.allclose(other.primitive_matrix, reference.primitive_matrix)
    set_forces(other, reference.forces, symmetrize=False)
    result = compare_phonons(reference, other, points_per_segment=11)[0]
    assert result.rms_thz < 1e-8


def test_rms_error_validation():
    a = np.arange(6.0).reshape(2, 3)
    assert rms_error_thz(a, a + 0.5) == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"reference \(2, 3\), other \(3, 2\)"):
        rms_error_thz(a, a.T)
    with pytest.raises(ValueError, match="NaN"):
        rms_error_thz(a, np.full_like(a, np.nan))


def test_file_errors(tmp_path):
    missing = tmp_path / "nope" / "phonopy.yaml"
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing))):
        compare_phonopy_files(missing, DIAMOND_YAML)
    data = PhonopyYaml().read(DIAMOND_YAML)
    no_forces = tmp_path / "no_forces.yaml"
    make_phonopy(phonopy_atoms_to_structure(data.unitcell), data.supercell_matrix).save(no_forces)
    with pytest.raises(ValueError, match=r"no_forces\.yaml: no forces .*Phonopy\.save"):
        load_phonopy_file(no_forces)
    garbage = tmp_path / "garbage.yaml"
    garbage.write_text("just: text\n")
    with pytest.raises(ValueError, match=r"garbage\.yaml"):
        load_phonopy_file(garbage)
