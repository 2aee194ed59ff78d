"""Relaxation jobs: atomate2's VASP relax maker (mock VASP) or the in-process calculator."""

from __future__ import annotations

import shutil

import atomate2.vasp.jobs.base
import pytest
from jobflow import run_locally
from pymatgen.io.vasp import Vasprun

from jobs.vasp_mock import DATA, VASPRUN, task_from_vasprun
from phonogap.importers.vasprun import import_vasprun
from phonogap.jobs.structures import relaxation_job
from phonogap.reference import get_reference
from phonogap.reference.vasp import VaspReference
from phonogap.schemas.structures import RelaxationDocument


def test_mock_vasp_relax_step_uses_atomate2_relax_maker(mock_vasp, tmp_path, monkeypatch):
    ref_root, run = mock_vasp
    ref_dir = ref_root / "si64_relax"
    (ref_dir / "inputs").mkdir(parents=True)
    (ref_dir / "outputs").mkdir()
    shutil.copy(DATA / "reference" / "vasp_si64_relax" / "inputs" / "INCAR", ref_dir / "inputs")
    shutil.copy(VASPRUN, ref_dir / "outputs" / "vasprun.xml")  # stands in for a relaxation
    monkeypatch.setattr(atomate2.vasp.jobs.base, "get_vasp_task_document", task_from_vasprun)
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
