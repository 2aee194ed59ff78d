"""``phonogap plan`` counts what a workflow computes; ``phonogap run`` refuses fits too big.

Counts are checked against phonopy and the settings directly; memory against the formula
applied by hand to the descriptor counts gap_fit's dryrun reports.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from phonopy import Phonopy
from phonopy.structure.atoms import PhonopyAtoms

import phonogap.cli.run
from phonogap.cli import main
from phonogap.config import parse_workflow
from phonogap.config.plan import FitMemoryError, available_memory_gib, plan_workflow
from phonogap.database.settings import DatabaseSettings
from phonogap.database.supercells import minimum_length_supercell
from phonogap.fitting.memory_model import GIB, MEASURED_OVER_ESTIMATE
from phonogap.structures.allotropes import silicon_allotropes

REPO = Path(__file__).resolve().parents[2]
DEMO = {
    "name": "plan_demo",
    "structures": {"allotropes": ["mp-149"]},
    "reference": {"backend": "sw"},
    "database": {"strategy": "both", "n_randomised": 4, "randomised_min_length_ang": 10.0},
    "fit": {"preset": "small", "n_sparse": 300},
}


def _expected_demo_counts() -> tuple[int, int]:
    """Configurations and atoms of the demo, from phonopy and the settings."""
    (allotrope,) = silicon_allotropes(["mp-149"])
    structure = allotrope.structure
    matrix = minimum_length_supercell(structure, DatabaseSettings().min_supercell_length_ang)
    unitcell = PhonopyAtoms(
        symbols=[str(s.specie) for s in structure],
        cell=structure.lattice.matrix,
        scaled_positions=structure.frac_coords,
    )
    phonon = Phonopy(unitcell, supercell_matrix=matrix)
    phonon.generate_displacements(distance=0.01)
    displaced = phonon.supercells_with_displacements
    supercell_atoms = len(structure) * round(abs(np.linalg.det(matrix)))
    randomised = minimum_length_supercell(structure, 10.0)  # randomised_min_length_ang
    randomised_atoms = len(structure) * round(abs(np.linalg.det(randomised)))
    configurations = len(displaced) + 4 + 1  # + 4 randomised cells + the isolated atom
    atoms = len(displaced) * supercell_atoms + 4 * randomised_atoms + 1
    return configurations, atoms


def test_plan_counts_the_demo_as_phonopy_does():
    plan = plan_workflow(parse_workflow(DEMO, source="demo"), memory_gib=8.0)
    configurations, atoms = _expected_demo_counts()
    assert plan.n_reference_calculations == configurations
    assert plan.n_reference_relaxations == 1
    assert plan.n_training_atoms == atoms
    (structure,) = plan.structures
    assert structure.n_displacements == 1  # diamond: one symmetry-distinct displacement
    assert structure.supercell_atoms == 128  # 4x4x4 primitive cells of 2 atoms
    (fit,) = plan.fits
    # targets: one energy per configuration, 3 force components per atom, 6 virial
    # components per periodic cell (not the isolated atom)
    assert fit.n_targets == configurations + 3 * atoms + 6 * (configurations - 1)
    assert [(d["name"], d["n_sparse"]) for d in fit.descriptors] == [
        ("distance_2b", 15),
        ("soap", 300),
    ]
    assert fit.memory_source == "gap_fit dryrun"
    # the formula by hand: max(descriptors + yY, yY + yy + A) x the measured factor
    descriptors = sum(
        8 * d["dimension"] * (d["n_descriptors"] + d["n_derivatives"]) for d in fit.descriptors
    )
    m, n_t = 315, fit.n_targets
    peak = max(descriptors + 8 * m * n_t, 8 * m * n_t + 8 * m * m + 8 * m * (n_t + m))
    assert fit.peak_memory_gib == pytest.approx(peak * MEASURED_OVER_ESTIMATE / GIB)
    assert fit.fits_in_memory and fit.peak_memory_gib < 1.0


def test_model_counts_agree_with_gap_fit_dryrun():
    workflow = parse_workflow(DEMO, source="demo")
    (dryrun,) = plan_workflow(workflow, memory_gib=8.0).fits
    (model,) = plan_workflow(workflow, memory_gib=8.0, use_gap_fit=False).fits
    assert model.memory_source == "model"
    assert model.n_targets == dryrun.n_targets
    for ours, theirs in zip(model.descriptors, dryrun.descriptors, strict=True):
        assert ours["dimension"] == theirs["dimension"]
        assert ours["n_descriptors"] == theirs["n_descriptors"]
    # SOAP's derivative entries dominate the descriptors' memory (the pair term's are 1-D)
    assert model.descriptors[-1]["n_derivatives"] == pytest.approx(
        dryrun.descriptors[-1]["n_derivatives"], rel=0.03
    )
    assert model.peak_memory_gib == pytest.approx(dryrun.peak_memory_gib, rel=0.03)


def test_available_memory_reads_meminfo(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24684084 kB\nMemAvailable:   2097152 kB\n")
    assert available_memory_gib(meminfo) == pytest.approx(2.0)
    assert available_memory_gib(tmp_path / "missing") == float("inf")


@pytest.fixture
def gap18_castep(tmp_path) -> Path:
    """workflows/castep_allotropes.yaml with GAP-18's descriptor and M = 20000."""
    raw = yaml.safe_load((REPO / "workflows" / "castep_allotropes.yaml").read_text())
    raw["fit"].update(preset="gap18", n_sparse=20000)
    path = tmp_path / "castep_gap18.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("PHONOGAP_STORE_CONFIG", raising=False)


def test_plan_json_says_gap18_at_m20000_does_not_fit(gap18_castep, capsys):
    assert main(["plan", str(gap18_castep), "--format", "json", "--memory", "16"]) == 1
    plan = json.loads(capsys.readouterr().out)
    assert plan["n_reference_calculations"] == 0  # imported labels
    assert plan["n_training_atoms"] == 26626  # 105 CASTEP supercells + 13 unit cells
    assert plan["memory_available_gib"] == 16.0
    (fit,) = plan["fits"]
    assert fit["name"] == "fit_gap" and fit["n_sparse"] == 20000
    # GAP-18's SOAP (l_max 12, n_max 10) has 716 components
    assert fit["descriptors"][0]["dimension"] == 716
    assert fit["peak_memory_gib"] > 16.0 and fit["fits_in_memory"] is False
    assert 0 < fit["largest_n_sparse"] < 20000


def test_run_refuses_a_fit_too_big_before_labelling(
    gap18_castep, fresh_store, monkeypatch, capsys, tmp_path
):
    def started(*args, **kwargs):
        raise AssertionError("the run started")

    monkeypatch.setattr(phonogap.cli.run, "run_workflow", started)
    start = time.perf_counter()
    status = main(["run", str(gap18_castep), "--out", str(tmp_path / "out"), "--memory", "16"])
    assert time.perf_counter() - start < 120
    assert status == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "fit 'fit_gap' of castep_allotropes needs about" in err
    assert "but 16.0 GiB are available (--memory)" in err
    assert "lower fit.n_sparse to at most" in err and "--force" in err
    assert issubclass(FitMemoryError, RuntimeError)


def test_force_runs_anyway(gap18_castep, fresh_store, monkeypatch, tmp_path):
    ran = []
    monkeypatch.setattr(phonogap.cli.run, "run_workflow", lambda *a, **k: ran.append(a) or 0)
    argv = ["run", str(gap18_castep), "--out", str(tmp_path / "out"), "--memory", "16"]
    assert main([*argv, "--force"]) == 0
    assert len(ran) == 1


def test_extension_plan_counts_the_generated_base_from_its_settings():
    raw = yaml.safe_load((REPO / "workflows" / "extend_sw.yaml").read_text())
    raw["base_database"]["generate"]["preset"] = "default"
    raw["extension"]["melt_quench"] = None
    plan = plan_workflow(parse_workflow(raw, REPO / "workflows", "extend_sw.yaml"), 8.0, False)
    extended, base = plan.fits
    # the default general database: 10 defective-crystal, 20 liquid and 20 amorphous snapshots
    # of 64 - 2 = 62 atoms, 20 strained 64-atom diamond cells, the isolated atom
    assert (base.n_configurations, base.n_training_atoms) == (50 + 20 + 1, 50 * 62 + 20 * 64 + 1)
    assert base.n_sparse == 15 + raw["extension"]["n_sparse_base"] + 1  # + the isolated atom
    new_atoms = plan.n_training_atoms - base.n_training_atoms
    # the merged set keeps one isolated atom
    assert extended.n_training_atoms == base.n_training_atoms + new_atoms - 1
    assert plan.n_reference_calculations == plan.n_training_configurations
    assert plan.n_reference_relaxations == 5
