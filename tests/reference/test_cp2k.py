"""CP2K through atomate2: input settings, and labels read back from a real CP2K output.

``tests/data/reference/cp2k_si2_static/`` holds the input atomate2 wrote and the output of a
real CP2K 2023.1 (Debian) ENERGY_FORCE run of a 2-atom Si cell with one atom displaced by
0.01 Å, made with this backend (see PROVENANCE.md). The test parses it with atomate2's own
task-document builder and checks the conversion against the numbers printed in ``cp2k.out``
(atomate2 keeps forces in Ha/bohr; phonogap converts them). Running CP2K itself is not part
of CI (it needs cp2k and ``pmg config --cp2k``; the test that does is skipped without them).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.units import Bohr, Hartree

from phonogap.database.isolated_atom import isolated_atom
from phonogap.reference import get_reference
from phonogap.reference.base import NoInProcessCalculatorError
from phonogap.reference.cp2k import Cp2kReference
from phonogap.schemas.configuration import Configuration

FIXTURE = Path(__file__).parents[1] / "data" / "reference" / "cp2k_si2_static"


def _configuration() -> Configuration:
    atoms = bulk("Si", "diamond", a=5.43)
    atoms.positions[0, 0] += 0.01
    atoms.info.update(config_type="single_displacement", source="si")
    return Configuration.from_atoms(atoms)


def _printed_forces_ev_per_ang(text: str) -> np.ndarray:
    block = text.split("ATOMIC FORCES in [a.u.]")[-1].split("SUM OF ATOMIC FORCES")[0]
    rows = re.findall(r"^\s+\d+\s+\d+\s+\w+\s+(\S+)\s+(\S+)\s+(\S+)", block, re.M)
    return np.array(rows, dtype=float) * Hartree / Bohr


def test_explicit_monkhorst_pack_grid_and_spin_polarised_free_atom():
    reference = get_reference("cp2k", kspacing_inv_ang=1.1)  # 2x2x2, raised to odd 3x3x3
    assert isinstance(reference, Cp2kReference)
    kpoints = reference.kpoints(bulk("Si", "diamond", a=5.43))
    assert kpoints.style.name == "Monkhorst" and tuple(kpoints.kpts[0]) == (3, 3, 3)
    assert tuple(reference.kpoints(isolated_atom("Si")).kpts[0]) == (1, 1, 1)
    settings = reference.input_settings(isolated_atom("Si"))
    assert settings["multiplicity"] == 3 and settings["uks"] is True  # Si 3P
    assert reference.input_settings()["eps_scf"] == 1e-8
    with pytest.raises(NoInProcessCalculatorError, match="atomate2 jobs"):
        reference.calculator()


def test_labels_from_a_real_cp2k_run_match_its_printed_forces(tmp_path):
    from atomate2.cp2k.schemas.task import TaskDocument

    run_dir = tmp_path / "run"
    shutil.copytree(FIXTURE, run_dir)
    task = TaskDocument.from_directory(run_dir)
    labelled = Cp2kReference().labels_from_task(task, _configuration())
    forces = np.asarray(labelled.forces_ev_per_ang)
    text = (run_dir / "cp2k.out").read_text()
    np.testing.assert_allclose(forces, _printed_forces_ev_per_ang(text), atol=1e-6)
    assert forces[0, 0] < -0.1 and abs(forces.sum(axis=0)).max() < 1e-3  # restoring force
    energy_ha = float(re.findall(r"ENERGY\| Total FORCE_EVAL .*?:\s+(\S+)", text)[-1])
    assert labelled.energy_ev == pytest.approx(energy_ha * Hartree, abs=1e-4)
    virial = np.asarray(labelled.virial_ev)
    assert virial.shape == (3, 3) and np.allclose(virial, virial.T)
    # a = 5.43 A is below PBE's 5.47 A: compressed, pressure +2.22 GPa (QE, same cell: +2.2)
    volume = abs(np.linalg.det(_configuration().to_atoms().cell))
    assert np.trace(virial) / 3 / volume * 160.21766208 == pytest.approx(2.222, abs=1e-3)


@pytest.mark.skipif(
    shutil.which("cp2k.psmp") is None or not os.environ.get("PMG_CP2K_DATA_DIR"),
    reason="cp2k (cp2k.psmp) or its data for pymatgen not found: apt-get install cp2k "
    "cp2k-data, then pmg config --cp2k /usr/share/cp2k DIR and export PMG_CP2K_DATA_DIR=DIR",
)
def test_cp2k_input_written_by_atomate2_has_the_grid(tmp_path):
    reference = Cp2kReference(kspacing_inv_ang=1.0, cutoff_ry=250, rel_cutoff_ry=40)
    atoms = _configuration().to_atoms()
    from phonogap.reference.dft_common import structure_of

    generator = reference.static_maker(atoms).input_set_generator
    generator.get_input_set(structure_of(atoms)).write_input(tmp_path)
    text = (tmp_path / "cp2k.inp").read_text()
    assert "SCHEME MONKHORST-PACK 3 3 3" in text and "EPS_SCF 1e-08" in text
