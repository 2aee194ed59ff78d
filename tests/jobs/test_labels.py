"""Labelling jobs: atomate2 VASP static jobs (mock VASP) and the restart-safe QE fan-out.

The VASP labels read back must equal those of the project's vasprun importer, which was
checked against phono3py's own extxyz conversion.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import atomate2.vasp.jobs.base
import numpy as np
import pytest
from jobflow import run_locally

from jobs.vasp_mock import (
    EXPECTED_INPUTS,
    VASPRUN,
    displaced_configuration,
    task_from_vasprun,
)
from phonogap.database.isolated_atom import isolated_atom
from phonogap.importers.vasprun import import_vasprun
from phonogap.jobs.labels import label_database_per_configuration, labelling_job
from phonogap.reference.qe import QuantumEspressoReference
from phonogap.reference.restart_safe import LABELS_FILE
from phonogap.reference.vasp import VaspReference
from phonogap.schemas.configuration import Configuration
from phonogap.schemas.dataset import DatabaseDocument
from reference.test_qe import TINY, _primitive, needs_qe

JOB_NAME = "label 0 single_displacement disp-00001"


def _mock_static(mock_vasp, monkeypatch) -> None:
    ref_root, run = mock_vasp
    ref_dir = ref_root / "si64"
    (ref_dir / "inputs").mkdir(parents=True)
    (ref_dir / "outputs").mkdir()
    shutil.copy(EXPECTED_INPUTS / "INCAR", ref_dir / "inputs" / "INCAR")
    shutil.copy(VASPRUN, ref_dir / "outputs" / "vasprun.xml")
    # phono3py kept only vasprun.xml, but emmet's TaskDoc needs OUTCAR and CONTCAR too: the
    # task document is assembled from the copied vasprun.xml by pymatgen (same ionic-step data
    # emmet stores), everything before it (input set, INCAR check, output copy) is atomate2's.
    monkeypatch.setattr(atomate2.vasp.jobs.base, "get_vasp_task_document", task_from_vasprun)
    run({JOB_NAME: "si64"}, {JOB_NAME: {"check_inputs": ["incar"]}})


def _run_labelling(reference: VaspReference, tmp_path: Path, monkeypatch) -> dict:
    database = DatabaseDocument(
        strategy="single_displacement",
        configurations=[displaced_configuration()],
        phonon_setups=[],
        summary={},
        settings={},
        versions={},
    )
    flow_job = labelling_job(database, reference)
    assert flow_job.name == "label_database_per_configuration"
    monkeypatch.chdir(tmp_path)
    return run_locally(flow_job, create_folders=True, ensure_success=True, raise_immediately=True)


def test_mock_vasp_static_labels_match_vasprun(mock_vasp, tmp_path, monkeypatch):
    _mock_static(mock_vasp, monkeypatch)
    responses = _run_labelling(VaspReference(), tmp_path, monkeypatch)
    outputs = [r[1].output for r in responses.values() if 1 in r]
    document = next(o for o in outputs if hasattr(o, "configurations"))
    labelled = document.configurations[0]
    expected = import_vasprun(VASPRUN).configurations[0]
    assert labelled.energy_ev == pytest.approx(expected.info["REF_energy"], abs=1e-8)
    np.testing.assert_allclose(labelled.forces_ev_per_ang, expected.arrays["REF_forces"], atol=1e-8)
    np.testing.assert_allclose(labelled.virial_ev, expected.info["REF_virial"], atol=1e-6)
    configuration = displaced_configuration()
    assert labelled.symbols == configuration.symbols
    np.testing.assert_allclose(labelled.positions_ang, configuration.positions_ang)
    assert document.reference.backend == "vasp"
    assert labelled.info["code_version"].startswith("VASP 5")


def test_mock_vasp_rejects_an_input_set_that_is_not_phonon_grade(mock_vasp, tmp_path, monkeypatch):
    _mock_static(mock_vasp, monkeypatch)
    loose = VaspReference(ediff_ev=1e-5)  # MP-like EDIFF: too loose for 0.01 A displacements
    with pytest.raises(ValueError, match="INCAR value of EDIFF is inconsistent"):
        _run_labelling(loose, tmp_path, monkeypatch)


def test_vasp_label_flow_is_one_static_job_per_configuration():
    configurations = [displaced_configuration(), Configuration.from_atoms(isolated_atom("Si"))]
    database = DatabaseDocument(
        strategy="single_displacement",
        configurations=configurations,
        phonon_setups=[],
        summary={},
        settings={},
        versions={},
    )
    response = label_database_per_configuration.original(database, VaspReference())
    names = [job.name for job, _ in response.replace.iterflow()]
    assert names.count("label 0 single_displacement disp-00001") == 1
    assert sum(name.startswith("label 1 isolated_atom") for name in names) == 2  # run + read
    assert names[-1] == "collect_labels"


@needs_qe
def test_fan_out_flow_labels_each_configuration_and_records_e0(tmp_path, monkeypatch):
    ref = QuantumEspressoReference(**TINY, scratch_dir=str(tmp_path / "scratch"))
    configurations = [Configuration.from_atoms(_primitive(0.01)), isolated_atom("Si")]
    configurations[1] = Configuration.from_atoms(configurations[1])
    database = DatabaseDocument(
        strategy="single_displacement",
        configurations=configurations,
        phonon_setups=[],
        summary={},
        settings={},
        versions={},
    )
    monkeypatch.chdir(tmp_path)
    responses = run_locally(
        labelling_job(database, ref), create_folders=True, ensure_success=True, log=False
    )
    document = next(
        r[1].output for r in responses.values() if hasattr(r[1].output, "configurations")
    )
    assert [c.config_type for c in document.configurations] == [
        "single_displacement",
        "isolated_atom",
    ]
    free = document.configurations[1]
    assert free.info["magnetization_bohr_mag"] == pytest.approx(2.0, abs=0.01)
    e0 = document.summary["isolated_atom_energies_ev"]["Si"]
    assert e0 == free.energy_ev and e0 < -100  # Si atom with a 4-electron pseudopotential
    assert free.cell_ang[0][0] == 20.0  # gap_fit still sees the 20 A box
    assert len(list((tmp_path / "scratch" / "qe").glob(f"*/{LABELS_FILE}"))) == 2
