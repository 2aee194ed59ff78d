"""VASP through atomate2, tested the way atomate2 tests itself (mock VASP).

atomate2's ``monkeypatch_vasp`` replaces the VASP run: it checks the INCAR the static job wrote
against ``tests/data/reference/vasp_si64_static/inputs/INCAR`` (the phonon-grade set) and copies
a real VASP output in its place: the phono3py Si-PBE ``vasprun.xml`` of a 64-atom displaced
supercell (tests/data/importers/PROVENANCE.md). The labels read back must equal those of the
project's vasprun importer, which was checked against phono3py's own extxyz conversion.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import atomate2.utils.testing.vasp as atomate2_vasp
import atomate2.vasp.jobs.base
import numpy as np
import pytest
from jobflow import run_locally
from pymatgen.io.ase import AseAtomsAdaptor
from pymatgen.io.vasp import Vasprun

from phonogap.database.isolated_atom import isolated_atom
from phonogap.database.label_jobs import label_database_per_configuration, labelling_job
from phonogap.importers.vasprun import import_vasprun
from phonogap.reference import get_reference
from phonogap.reference.vasp import VaspReference, structure_of
from phonogap.schemas.configuration import Configuration
from phonogap.schemas.dataset import DatabaseDocument
from phonogap.schemas.structures import RelaxationDocument
from phonogap.structures.atomate2_relax import relaxation_job

DATA = Path(__file__).parents[1] / "data"
VASPRUN = DATA / "importers" / "vasprun_si_pbe" / "disp-00001" / "vasprun.xml"
EXPECTED_INPUTS = DATA / "reference" / "vasp_si64_static" / "inputs"


@pytest.fixture
def mock_vasp(monkeypatch, tmp_path):
    ref_root = tmp_path / "vasp_refs"
    patcher = atomate2_vasp.monkeypatch_vasp(monkeypatch, ref_root, nelect=256)
    run = next(patcher)
    yield ref_root, run
    with pytest.raises(StopIteration):
        next(patcher)


def _displaced_configuration() -> Configuration:
    structure = Vasprun(str(VASPRUN), parse_dos=False, parse_eigen=False).initial_structure
    atoms = AseAtomsAdaptor.get_atoms(structure)
    atoms.info.update(config_type="single_displacement", source="disp-00001")
    return Configuration.from_atoms(atoms)


class _VasprunTask(dict):
    """A dict with the TaskDoc fields that atomate2's job and phonogap's conversion read."""

    def __getattr__(self, name: str) -> Any:
        if name in self:
            return self[name]
        if name == "custodian":
            return []
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


def _task_from_vasprun(path: Path | str, **_: Any) -> _VasprunTask:
    vasprun = Vasprun(str(Path(path) / "vasprun.xml"), parse_dos=False, parse_eigen=False)
    keys = ("e_fr_energy", "forces", "stress", "electronic_steps", "structure")
    steps = [{key: step[key] for key in keys} for step in vasprun.ionic_steps]
    calc = {
        "vasp_version": vasprun.vasp_version,
        "input": {"incar": dict(vasprun.incar), "parameters": dict(vasprun.parameters)},
        "output": {"ionic_steps": steps},
    }
    return _VasprunTask(dir_name=str(path), state="successful", custodian=[], calcs_reversed=[calc])


def test_phonon_grade_incar():
    reference = get_reference("vasp")
    incar = reference.incar()
    assert incar["EDIFF"] == 1e-8 and incar["ISYM"] == 0 and incar["PREC"] == "Accurate"
    assert incar["ISMEAR"] == 0 and incar["LREAL"] is False and incar["ENCUT"] == 520.0
    assert incar["GGA"] == "PE" and incar["METAGGA"] is None
    free = reference.incar(isolated_atom("Si"))
    assert free["ISPIN"] == 2 and free["NUPDOWN"] == 2.0  # Si 3P: spin-polarised, 2 muB
    with pytest.raises(NotImplementedError, match="atomate2 jobs"):
        reference.calculator()


def test_isolated_atom_static_input_is_spin_polarised_gamma_only():
    atoms = isolated_atom("Si")
    maker = VaspReference().static_maker(atoms)
    input_set = maker.input_set_generator.get_input_set(structure_of(atoms), potcar_spec=True)
    assert input_set.incar["ISPIN"] == 2 and input_set.incar["NUPDOWN"] == 2
    assert input_set.incar["KSPACING"] >= 2 * np.pi / 20.0  # one k-point in the 20 A box


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
    monkeypatch.setattr(atomate2.vasp.jobs.base, "get_vasp_task_document", _task_from_vasprun)
    run({JOB_NAME: "si64"}, {JOB_NAME: {"check_inputs": ["incar"]}})


def _run_labelling(reference: VaspReference, tmp_path: Path, monkeypatch) -> dict:
    database = DatabaseDocument(
        strategy="single_displacement",
        configurations=[_displaced_configuration()],
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
    configuration = _displaced_configuration()
    assert labelled.symbols == configuration.symbols
    np.testing.assert_allclose(labelled.positions_ang, configuration.positions_ang)
    assert document.reference["backend"] == "vasp"
    assert labelled.info["code_version"].startswith("VASP 5")


def test_mock_vasp_rejects_an_input_set_that_is_not_phonon_grade(mock_vasp, tmp_path, monkeypatch):
    _mock_static(mock_vasp, monkeypatch)
    loose = VaspReference(ediff_ev=1e-5)  # MP-like EDIFF: too loose for 0.01 A displacements
    with pytest.raises(ValueError, match="INCAR value of EDIFF is inconsistent"):
        _run_labelling(loose, tmp_path, monkeypatch)


def test_vasp_label_flow_is_one_static_job_per_configuration():
    configurations = [_displaced_configuration(), Configuration.from_atoms(isolated_atom("Si"))]
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


def test_mock_vasp_relax_step_uses_atomate2_relax_maker(mock_vasp, tmp_path, monkeypatch):
    ref_root, run = mock_vasp
    ref_dir = ref_root / "si64_relax"
    (ref_dir / "inputs").mkdir(parents=True)
    (ref_dir / "outputs").mkdir()
    shutil.copy(DATA / "reference" / "vasp_si64_relax" / "inputs" / "INCAR", ref_dir / "inputs")
    shutil.copy(VASPRUN, ref_dir / "outputs" / "vasprun.xml")  # stands in for a relaxation
    monkeypatch.setattr(atomate2.vasp.jobs.base, "get_vasp_task_document", _task_from_vasprun)
    run({"relax si64": "si64_relax"}, {"relax si64": {"check_inputs": ["incar"]}})

    structure = Vasprun(str(VASPRUN), parse_dos=False, parse_eigen=False).initial_structure
    relax = relaxation_job({"si64": structure}, VaspReference())
    assert relax.name == "relax_with_atomate2"
    monkeypatch.chdir(tmp_path)
    responses = run_locally(relax, create_folders=True, ensure_success=True, raise_immediately=True)
    document = next(
        r[1].output for r in responses.values() if isinstance(r[1].output, RelaxationDocument)
    )
    assert [s.name for s in document.structures] == ["si64"] and not document.dropped
    energy = import_vasprun(VASPRUN).configurations[0].info["REF_energy"]
    assert document.structures[0].energy_ev_per_atom == pytest.approx(energy / 64)
    assert relaxation_job({"si64": structure}, get_reference("sw")).name == "relax_with_reference"
