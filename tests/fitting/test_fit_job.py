"""fit_gap_in_directory: the fit job's core, in awkward directories and with f=None."""

from __future__ import annotations

from pathlib import Path

from ase.build import bulk

from phonogap.database.isolated_atom import isolated_atom
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.jobs import fit_gap_in_directory
from phonogap.reference import evaluate_configurations, get_reference


def test_fit_in_a_directory_whose_path_has_commas(tmp_path):
    configurations = []
    for seed in range(3):
        atoms = bulk("Si", "diamond", a=5.431, cubic=True)
        atoms.rattle(0.03, seed=seed)
        atoms.info["config_type"] = "randomised"
        configurations.append(atoms)
    configurations.append(isolated_atom("Si"))
    labelled = evaluate_configurations(get_reference("sw"), configurations, n_workers=1)

    workdir = tmp_path / "run,with,commas"
    document = fit_gap_in_directory(
        labelled, GapHyperparameters.small().with_n_sparse(20), workdir, f=None
    )
    assert Path(document.potential_xml) == (workdir / "gap.xml").resolve()
    assert Path(document.potential_xml).is_file()
    assert document.observables == ["energy", "forces", "virial"]
    assert document.atomwise_config_types == []
    # 24 atoms, 20 sparse points: the default force sigma 0.1 eV/A bounds the training error
    assert document.training_errors["force_rmse_ev_per_ang"] < 0.1
