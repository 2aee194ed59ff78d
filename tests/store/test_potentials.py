"""A fitted GAP travels through the data store: fetched by checksum into a new directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from jobflow import run_locally
from maggma.stores import MemoryStore

from phonogap.database.isolated_atom import isolated_atom
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.jobs.fitting import fit_gap
from phonogap.reference import evaluate_configurations, get_reference
from phonogap.schemas.configuration import to_configurations
from phonogap.schemas.dataset import LabelledDatasetDocument
from phonogap.store.potentials import PotentialNotFoundError, fetch_potential


def tiny_dataset() -> LabelledDatasetDocument:
    """Three rattled 8-atom diamond cells and the isolated atom, labelled by SW."""
    configurations = []
    for seed in range(3):
        atoms = bulk("Si", "diamond", a=5.431, cubic=True)
        atoms.rattle(0.03, seed=seed)
        atoms.info["config_type"] = "randomised"
        configurations.append(atoms)
    configurations.append(isolated_atom("Si"))
    for atoms in configurations:
        atoms.info["source"] = "diamond"
    labelled = evaluate_configurations(get_reference("sw"), configurations, n_workers=1)
    return LabelledDatasetDocument(
        reference=get_reference("sw").provenance(),
        configurations=to_configurations(labelled),
        summary={},
        wall_time_s=0.0,
        input_checksum="test",
    )


def energy_and_forces(xml: str | Path) -> tuple[float, np.ndarray]:
    """Energy and forces of a rattled diamond cell with a GAP."""
    from quippy.potential import Potential

    atoms = bulk("Si", "diamond", a=5.40, cubic=True)
    atoms.rattle(0.05, seed=11)
    atoms.calc = Potential(param_filename=str(xml))
    return atoms.get_potential_energy(), atoms.get_forces()


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """Run fit_gap with jobflow into a memory store; return (store, output, job dir)."""
    work = tmp_path_factory.mktemp("fit")
    store = _memory_store()
    job = fit_gap(tiny_dataset(), GapHyperparameters.small().with_n_sparse(20), f=None)
    responses = run_locally(job, store=store, create_folders=True, root_dir=work, log=False)
    output = responses[job.uuid][1].output
    return store, output, work


def _memory_store():
    from jobflow import JobStore

    store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
    store.connect()
    return store


def test_fit_files_are_in_the_data_store_not_the_document(fitted):
    store, output, _ = fitted
    assert output.potential_relative_path == "gap.xml"
    names = list(output.potential_files)
    assert names[0] == "gap.xml"
    assert len(names) >= 2  # the xml and at least one sparseX file
    doc = store.query_one({"name": "fit_gap"}, properties=["output"])
    stored = doc["output"]["potential_files"]
    # the main document holds a reference to the blob, not the files
    assert "blob_uuid" in stored
    assert store.additional_stores["data"].count() == 1


def test_fetched_potential_reproduces_the_fit(fitted, tmp_path):
    store, output, work = fitted
    energy, forces = energy_and_forces(output.potential_xml)
    shutil.rmtree(work)
    assert not Path(output.potential_xml).exists()

    xml = fetch_potential(store, output.potential_sha256, tmp_path / "elsewhere")
    assert xml == (tmp_path / "elsewhere" / "gap.xml").resolve()
    fetched_energy, fetched_forces = energy_and_forces(xml)
    assert fetched_energy == pytest.approx(energy, abs=1e-10)
    np.testing.assert_allclose(fetched_forces, forces, rtol=0, atol=1e-10)
    assert np.abs(forces).max() > 1e-3  # a rattled cell: the comparison is not trivial


def test_unknown_checksum_is_a_clear_error(fitted, tmp_path):
    store, _, _ = fitted
    with pytest.raises(PotentialNotFoundError, match="no fit with potential_sha256 0000"):
        fetch_potential(store, "0000", tmp_path)
