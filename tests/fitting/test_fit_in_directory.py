"""fit_gap_in_directory: the fit job's core, in awkward directories and with f=None."""

from __future__ import annotations

from pathlib import Path

from ase.build import bulk

from phonogap.database.isolated_atom import isolated_atom
from phonogap.fitting.fit_in_directory import fit_gap_in_directory
from phonogap.fitting.hyperparameters import GapHyperparameters
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
    assert document.training_errors.force_rmse_ev_per_ang < 0.1


def test_fit_document_records_the_sparse_points_gap_fit_really_used(tmp_path, caplog):
    # one 8-atom diamond cell with one displaced atom: by symmetry far fewer than 8
    # distinct environments, so gap_fit lowers the 50 requested SOAP sparse points
    atoms = bulk("Si", "diamond", a=5.431, cubic=True)
    atoms.positions[0] += [0.03, 0.0, 0.0]
    atoms.info["config_type"] = "single_displacement"
    labelled = evaluate_configurations(
        get_reference("sw"), [atoms, isolated_atom("Si")], n_workers=1
    )
    with caplog.at_level("WARNING", logger="phonogap.fitting.fit_in_directory"):
        document = fit_gap_in_directory(
            labelled, GapHyperparameters.small().with_n_sparse(50), tmp_path, f=0.01
        )
    used = document.sparse_points_used
    assert set(used) == {"distance_2b", "soap"}
    assert 1 <= used["distance_2b"] <= 15  # at most the small preset's pair grid
    assert 1 <= used["soap"] <= 8
    assert "not the 50 requested" in caplog.text
