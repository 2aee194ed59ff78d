"""Mock VASP, the way atomate2 tests itself: helpers shared by the atomate2 job tests.

atomate2's ``monkeypatch_vasp`` replaces the VASP run: it checks the INCAR a job wrote against
an expected one and copies a real VASP output in its place: the phono3py Si-PBE
``vasprun.xml`` of a 64-atom displaced supercell (tests/data/importers/PROVENANCE.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pymatgen.io.ase import AseAtomsAdaptor
from pymatgen.io.vasp import Vasprun

from phonogap.schemas.configuration import Configuration

DATA = Path(__file__).parents[1] / "data"
VASPRUN = DATA / "importers" / "vasprun_si_pbe" / "disp-00001" / "vasprun.xml"
EXPECTED_INPUTS = DATA / "reference" / "vasp_si64_static" / "inputs"


def displaced_configuration() -> Configuration:
    structure = Vasprun(str(VASPRUN), parse_dos=False, parse_eigen=False).initial_structure
    atoms = AseAtomsAdaptor.get_atoms(structure)
    atoms.info.update(config_type="single_displacement", source="disp-00001")
    return Configuration.from_atoms(atoms)


class VasprunTask(dict):
    """A dict with the TaskDoc fields that atomate2's job and phonogap's conversion read."""

    def __getattr__(self, name: str) -> Any:
        if name in self:
            return self[name]
        if name == "custodian":
            return []
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


def task_from_vasprun(path: Path | str, **_: Any) -> VasprunTask:
    vasprun = Vasprun(str(Path(path) / "vasprun.xml"), parse_dos=False, parse_eigen=False)
    keys = ("e_fr_energy", "forces", "stress", "electronic_steps", "structure")
    steps = [{key: step[key] for key in keys} for step in vasprun.ionic_steps]
    calc = {
        "vasp_version": vasprun.vasp_version,
        "input": {"incar": dict(vasprun.incar), "parameters": dict(vasprun.parameters)},
        "output": {"ionic_steps": steps},
    }
    return VasprunTask(dir_name=str(path), state="successful", custodian=[], calcs_reversed=[calc])
