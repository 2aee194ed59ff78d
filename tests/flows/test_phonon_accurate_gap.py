"""End to end: PhononAccurateGapMaker against Stillinger-Weber, run with jobflow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from jobflow import run_locally

from phonogap.database.extxyz import read_training_xyz
from phonogap.database.settings import DatabaseSettings
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.settings import FitSettings
from phonogap.flows import PhononAccurateGapMaker
from phonogap.schemas.keys import FORCE_ATOM_SIGMA_KEY, FORCES_KEY
from phonogap.store.jobstore import embedded_store
from phonogap.store.queries import find_summaries
from phonogap.structures.allotropes import silicon_allotropes

F = 0.001
F_MIN = 0.01


def small_maker(**overrides) -> PhononAccurateGapMaker:
    settings = dict(
        name="e2e",
        reference="sw",
        database=DatabaseSettings(
            strategy="both", n_randomised=2, min_supercell_length_ang=9.0, seed=3
        ),
        fit=FitSettings(
            hyperparameters=GapHyperparameters.small().with_n_sparse(150), f=F, f_min=F_MIN
        ),
    )
    settings.update(overrides)
    return PhononAccurateGapMaker(**settings)


@pytest.fixture(scope="module")
def diamond_and_lonsdaleite_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("e2e")
    allotropes = silicon_allotropes(["mp-149", "mp-165"])
    flow = small_maker().make(
        {a.mp_id: a.structure for a in allotropes}, mp_ids={a.mp_id: a.mp_id for a in allotropes}
    )
    store = embedded_store(work / "store")
    run_locally(flow, store=store, create_folders=True, root_dir=work / "jobs", log=False)
    store.connect()
    return work, store


def test_flow_benchmarks_every_structure(diamond_and_lonsdaleite_run):
    _, store = diamond_and_lonsdaleite_run
    (found,) = find_summaries(store, "e2e")
    summary = found["summary"]
    rows = {row.name: row for row in summary.rows}
    assert set(rows) == {"mp-149", "mp-165"}
    assert summary.failed == []
    # diamond: one displacement in a 54-atom cell reproduces the SW phonons almost exactly
    assert rows["mp-149"].rms_thz < 0.05
    assert rows["mp-165"].rms_thz < 0.5
    for row in rows.values():
        assert not row.imaginary_reference
        assert not row.false_instability
        assert row.mp_id == row.name
    assert summary.settings["f"] == F
    # SW relaxed diamond volume: (5.4310 A)^3 / 8
    assert rows["mp-149"].volume_reference_ang3_per_atom == pytest.approx(5.43095**3 / 8, rel=1e-4)


def test_training_file_has_eq8_sigmas_only_on_single_displacements(diamond_and_lonsdaleite_run):
    work, store = diamond_and_lonsdaleite_run
    (training_file,) = Path(work / "jobs").rglob("training.xyz")
    configurations = read_training_xyz(training_file)
    kinds = [atoms.info["config_type"] for atoms in configurations]
    # diamond (1 displacement) + lonsdaleite (2 displacements); 2 randomised each; 1 isolated atom
    assert kinds.count("single_displacement") == 3
    assert kinds.count("randomised") == 4
    assert kinds.count("isolated_atom") == 1
    for atoms in configurations:
        if atoms.info["config_type"] == "single_displacement":
            norms = np.linalg.norm(atoms.arrays[FORCES_KEY], axis=1)
            expected = F * np.maximum(norms, F_MIN)
            np.testing.assert_allclose(atoms.arrays[FORCE_ATOM_SIGMA_KEY], expected, rtol=1e-12)
        else:
            assert FORCE_ATOM_SIGMA_KEY not in atoms.arrays
    fit = store.query_one({"name": "fit_gap"}, properties=["output"])["output"]
    assert Path(fit["potential_xml"]).is_file()
    assert fit["observables"] == ["energy", "forces", "virial"]
    # the fit reproduces its training forces (Eq. 8 sigmas of 1e-3 relative)
    assert fit["training_errors"]["force_rmse_ev_per_ang"] < 0.02


def test_a_failing_structure_does_not_block_the_others(tmp_path, monkeypatch):
    import phonogap.jobs.phonons as phonon_jobs

    original = phonon_jobs.relax_structure

    def fail_for_lonsdaleite(structure, *args, **kwargs):
        if len(structure) == 4:
            raise RuntimeError("simulated crash of the lonsdaleite benchmark")
        return original(structure, *args, **kwargs)

    monkeypatch.setattr(phonon_jobs, "relax_structure", fail_for_lonsdaleite)
    allotropes = silicon_allotropes(["mp-149", "mp-165"])
    maker = small_maker(
        name="e2e_failure",
        database=DatabaseSettings(strategy="single_displacement", min_supercell_length_ang=8.0),
        fit=FitSettings(
            hyperparameters=GapHyperparameters.small().with_n_sparse(60), f=F, f_min=F_MIN
        ),
    )
    flow = maker.make({a.mp_id: a.structure for a in allotropes})
    store = embedded_store(tmp_path / "store")
    run_locally(flow, store=store, create_folders=True, root_dir=tmp_path / "jobs", log=False)
    store.connect()
    (found,) = find_summaries(store, "e2e_failure")
    assert found["summary"].failed == ["mp-165"]
    assert [row.name for row in found["summary"].rows] == ["mp-149"]
    # the finished fit is kept in the store
    assert store.count({"name": "fit_gap"}) == 1


def test_benchmark_document_holds_bands_and_dos(diamond_and_lonsdaleite_run):
    _, store = diamond_and_lonsdaleite_run
    uuid = store.query_one({"name": "phonon_benchmark mp-149"}, properties=["uuid"])["uuid"]
    document = store.get_output(uuid, load=True)
    bands = document["bands"]
    # Setyawan-Curtarolo path of fcc: 10 segments of 51 points, 6 bands (2-atom primitive cell)
    assert sum(bands["segment_lengths"]) == len(bands["qpoints"]) == 510
    assert np.asarray(bands["reference_thz"]).shape == (510, 6)
    # the DOS integrates to the 3N = 6 modes of the primitive cell on both sides
    dos = document["dos"]
    freqs = np.asarray(dos["frequencies_thz"])
    for key in ("reference_states_per_thz", "potential_states_per_thz"):
        assert np.trapezoid(dos[key], freqs) == pytest.approx(6.0, rel=0.02)


def test_kappa_step_reports_reference_and_potential(tmp_path):
    from phonogap.phonons.kappa import KappaSettings
    from phonogap.phonons.kappa_benchmark import KappaBenchmarkSettings

    (diamond,) = silicon_allotropes(["mp-149"])
    maker = small_maker(
        name="e2e_kappa",
        database=DatabaseSettings(strategy="both", n_randomised=3, min_supercell_length_ang=9.0),
        kappa=KappaBenchmarkSettings(
            structures=["mp-149"],
            settings=KappaSettings(
                mesh=(7, 7, 7), supercell_matrix=[[2, 0, 0], [0, 2, 0], [0, 0, 2]]
            ),
        ),
    )
    flow = maker.make({"mp-149": diamond.structure})
    store = embedded_store(tmp_path / "store")
    run_locally(flow, store=store, create_folders=True, root_dir=tmp_path / "jobs", log=False)
    store.connect()
    (found,) = find_summaries(store, "e2e_kappa")
    rows = {row.name: row for row in found["summary"].kappa}
    assert set(rows) == {"mp-149 reference", "mp-149 GAP"}
    reference = np.array(rows["mp-149 reference"].kappa_w_per_mk)
    assert rows["mp-149 reference"].temperatures_k == [300, 600, 900]
    assert np.all(np.diff(reference) < 0)  # Umklapp: kappa falls with temperature
    gap = np.array(rows["mp-149 GAP"].kappa_w_per_mk)
    assert np.all(gap > 0)
    with pytest.raises(ValueError, match=r"kappa.structures \['mp-0'\]"):
        small_maker(kappa={"structures": ["mp-0"]}).make({"mp-149": diamond.structure})


def test_exported_files_reproduce_the_stored_benchmark(
    diamond_and_lonsdaleite_run, tmp_path, monkeypatch, capsys
):
    import json

    import phonopy
    from pymatgen.phonon.bandstructure import PhononBandStructureSymmLine

    from phonogap.cli import main
    from phonogap.store.queries import benchmark_document

    work, store = diamond_and_lonsdaleite_run
    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(work / "store"))
    out = tmp_path / "export"
    assert main(["results", "--export", str(out), "--name", "e2e", "--format", "json"]) == 0
    (found,) = find_summaries(store, "e2e")
    for row in found["summary"].rows:
        folder = out / "e2e" / row.name
        names = sorted(path.name for path in folder.iterdir())
        assert names == [
            "potential_band_structure.json",
            "potential_phonopy.yaml",
            "reference_band_structure.json",
            "reference_phonopy.yaml",
        ]
        for side in ("reference", "potential"):
            loaded = phonopy.load(folder / f"{side}_phonopy.yaml")
            assert loaded.force_constants is not None
            assert len(loaded.supercell) == len(loaded.unitcell) * round(
                abs(np.linalg.det(loaded.supercell_matrix))
            )
        capsys.readouterr()
        reference, potential = (
            str(folder / f"{s}_phonopy.yaml") for s in ("reference", "potential")
        )
        assert main(["compare-phonons", reference, potential, "--json"]) == 0
        compared = json.loads(capsys.readouterr().out)
        assert compared["rms_thz"] == pytest.approx(row.rms_thz, abs=1e-6)
        assert compared["rms_thz"] > 1e-4  # a real difference is reproduced, not a zero

        bands = benchmark_document(store, found["uuid"], row.name)["bands"]
        for side in ("reference", "potential"):
            data = json.loads((folder / f"{side}_band_structure.json").read_text())
            structure = PhononBandStructureSymmLine.from_dict(data)
            assert len(structure.branches) == len(bands["segment_lengths"])
            assert len(structure.qpoints) == sum(bands["segment_lengths"])
            np.testing.assert_allclose(
                structure.bands, np.asarray(bands[f"{side}_thz"]).T, rtol=0, atol=1e-9
            )
            np.testing.assert_allclose(
                [q.frac_coords for q in structure.qpoints], bands["qpoints"], atol=1e-12
            )
            if side == "reference":
                # pymatgen's path length is the benchmark's (reciprocal lattice without 2π);
                # the potential's differs by its relaxed lattice
                np.testing.assert_allclose(structure.distance, bands["distances"], atol=1e-9)
