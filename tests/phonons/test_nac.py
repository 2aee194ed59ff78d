"""NAC for polar crystals: phono3py's NaCl data, imported, give phonopy's LO-TO splitting."""

from __future__ import annotations

import numpy as np
import pytest
from phonopy import Phonopy

from phonogap.importers.bundled import expand_bundled
from phonogap.importers.registry import import_dataset
from phonogap.importers.training_data import to_configurations
from phonogap.phonons.band_path import setyawan_curtarolo_path
from phonogap.phonons.benchmark import reference_phonopy, single_displacement_forces
from phonogap.phonons.harmonic import band_frequencies
from phonogap.phonons.nac import NacParametersError, nac_from_json, nac_to_json
from phonogap.schemas.dataset import PhononSetup


def test_nacl_lo_to_splitting_matches_phonopy():
    [entry] = expand_bundled("phono3py_nacl")
    dataset = import_dataset(entry["importer"], entry["path"], source=entry["name"])
    setup = PhononSetup(name=entry["name"], **dataset.phonon_setup)
    forces = single_displacement_forces(
        to_configurations(dataset.configurations), entry["name"], setup.n_displacements
    )
    assert setup.nac_params is not None, "the dataset's NAC parameters reach the phonon setup"
    assert forces is not None and len(forces) == 2  # the two 512-atom fc2 supercells
    phonon = reference_phonopy(setup, None, forces, 1)
    path = setyawan_curtarolo_path(phonon, 11)
    assert path.labels[0] == "Γ"
    with_nac = band_frequencies(phonon, path.qpoints)[0]
    phonon.nac_params = None
    without = band_frequencies(phonon, path.qpoints)[0]
    assert without[-1] - without[-3] < 1e-3  # no LO-TO splitting without NAC

    # phonopy alone, from the dataset's own fc2 supercells and NAC parameters
    raw = dataset.phonon  # phono3py's reading of the yaml: cells, fc2 dataset, NAC
    direct = Phonopy(
        raw.unitcell,
        supercell_matrix=raw.phonon_supercell_matrix,
        primitive_matrix=raw.primitive_matrix,
    )
    direct.dataset = raw.phonon_dataset
    direct.produce_force_constants(fc_calculator="symfc", calculate_full_force_constants=False)
    direct.nac_params = raw.nac_params
    expected = direct.run_qpoints([[0, 0, 0]], nac_q_direction=[1, 0, 0]).frequencies[0]
    assert expected[-1] - expected[-3] > 2.0  # NaCl: ~2.6 THz between LO and TO at Γ
    assert with_nac[-1] - with_nac[-3] == pytest.approx(expected[-1] - expected[-3], abs=1e-3)
    assert with_nac[-1] - without[-1] == pytest.approx(expected[-1] - expected[-3], abs=1e-3)


def test_nac_json_round_trip_and_shape_errors():
    nac = {"born": np.eye(3)[None].repeat(2, 0), "dielectric": 2 * np.eye(3), "factor": 14.4}
    back = nac_from_json(nac_to_json(nac), n_primitive=2)
    np.testing.assert_allclose(back["born"], nac["born"])
    assert back["factor"] == 14.4
    with pytest.raises(NacParametersError, match="primitive cell has 3"):
        nac_from_json(nac, n_primitive=3)
    with pytest.raises(NacParametersError, match="dielectric"):
        nac_from_json({"born": nac["born"]})


def test_aln_born_file_reaches_phono3py_with_phonopys_unit_factor():
    from phonogap.importers.bundled import bundled_data_dir
    from phonogap.phonons.kappa_dataset import find_phono3py_files, read_phono3py_dataset
    from phonogap.phonons.nac import vasp_nac_factor

    files = find_phono3py_files(bundled_data_dir("phono3py_aln_lda"))
    assert files.born is not None and files.born.name == "BORN"
    ph3 = read_phono3py_dataset(files)
    nac = ph3.nac_params
    # BORN lists Al and N once; phonopy expands them to the 4 atoms of the wurtzite cell
    assert np.asarray(nac["born"]).shape == (4, 3, 3)
    np.testing.assert_allclose(
        np.asarray(nac["born"])[:, 2, 2], [2.67353, 2.67353, -2.67353, -2.67353]
    )
    np.testing.assert_allclose(np.diag(nac["dielectric"]), [4.435009, 4.435009, 4.653269])
    assert nac["factor"] == pytest.approx(vasp_nac_factor()) == pytest.approx(14.3996517)


def test_kappa_with_a_potential_takes_the_references_nac_parameters():
    from pymatgen.core import Lattice, Structure

    from phonogap.phonons.kappa import kappa_with_reference
    from phonogap.reference.registry import reference_from_spec
    from phonogap.schemas.kappa import KappaSettings

    nial = Structure(Lattice.cubic(2.88), ["Ni", "Al"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    emt = reference_from_spec({"backend": "ase", "calculator_class": "ase.calculators.emt.EMT"})
    settings = KappaSettings(supercell_matrix=[2, 2, 2], mesh=(4, 4, 4), temperatures_k=(300,))
    nac = {"born": [2 * np.eye(3), -2 * np.eye(3)], "dielectric": 5 * np.eye(3)}
    plain = kappa_with_reference(nial, emt, settings, n_workers=1)
    polar = kappa_with_reference(nial, emt, settings, n_workers=1, nac_params=nac)
    assert plain.phono3py.nac_params is None
    assert polar.phono3py.nac_params["factor"] == pytest.approx(14.3996517)
    # the LO-TO term changes the optical branches and with them the scattering
    kappa_plain = plain.result.kappa_mean_diagonal_w_per_mk[0]
    kappa_polar = polar.result.kappa_mean_diagonal_w_per_mk[0]
    assert abs(kappa_polar / kappa_plain - 1) > 1e-3
