"""Kappa jobs: documents in the store, phono3py files on disk, fc2 in the data store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from jobflow import JobStore, run_locally
from maggma.stores import MemoryStore
from pymatgen.core import Structure

from phonogap.flows.kappa import KappaMaker
from phonogap.jobs.kappa import attribute_kappa_to_force_constants, kappa_from_dataset
from phonogap.reference import get_reference
from phonogap.schemas.kappa import KappaSettings
from phonogap.schemas.provenance import file_sha256
from phonogap.structures.relax import relax_structure
from phonons.test_kappa_attribution import SETTINGS, DatasetForces
from phonons.test_kappa_attribution import dataset as dataset  # the fixture

pytestmark = pytest.mark.filterwarnings("ignore")  # phonopy/phono3py grid and API notices


@pytest.fixture(scope="module")
def sw_diamond(bundled_dir) -> Structure:
    structure = Structure.from_file(bundled_dir / "george2020_castep_phonons" / "POSCAR_diamond")
    return relax_structure(structure, get_reference("sw").calculator()).structure


def test_kappa_jobs_write_documents_and_files(sw_diamond, bundled_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = KappaSettings(
        method="random_displacements", n_random_supercells=16, mesh=(5, 5, 5), temperatures=(300,)
    )
    maker = KappaMaker(settings=settings, reference="sw", relax=None)
    computed = maker.make(sw_diamond, label="Si-sw")
    imported = kappa_from_dataset(
        str(bundled_dir / "phono3py_si" / "test"), KappaSettings(mesh=(5, 5, 5))
    )
    store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
    responses = run_locally([computed, imported], store=store, create_folders=True, log=False)
    sw_doc = responses[computed.uuid][1].output
    dft_doc = responses[imported.uuid][1].output
    assert computed.name == "kappa Si-sw" and sw_doc.name == "Si-sw"
    assert sw_doc.method == "random_displacements" and sw_doc.n_supercells == 16
    assert sw_doc.reference.backend == "sw" and sw_doc.settings == settings
    assert dft_doc.method == "imported" and dft_doc.name == "test"
    assert dft_doc.reference.extra["sha256"]["forces_fc3"] == file_sha256(
        bundled_dir / "phono3py_si" / "test" / "FORCES_FC3_si_pbesol"
    )
    assert len(dft_doc.kappa_mean_diagonal_w_per_mk) == 3
    for doc in (sw_doc, dft_doc):
        files = doc.force_constants
        fc3 = Path(files.directory) / files.fc3_hdf5
        assert file_sha256(fc3) == files.fc3_sha256
        assert files.fc3_shape == [2, 64, 64, 3, 3, 3]
        assert (Path(files.directory) / "phono3py_params.yaml").is_file()
    # fc2 went to the data store, not into the output document
    store.connect()
    stored = store.query_one({"uuid": computed.uuid}, load=False)
    assert stored["output"]["fc2_ev_per_ang2"]["store"] == "data"  # a blob reference
    loaded = store.query_one({"uuid": computed.uuid}, load=True)
    assert np.asarray(loaded["output"]["fc2_ev_per_ang2"]).shape == (2, 64, 3, 3)


def test_attribution_job_stores_a_document(dataset):
    """The jobflow job: output in the store, dataset checksums, deviations at each T."""
    path, table = dataset
    job = attribute_kappa_to_force_constants(
        str(path), DatasetForces(table=table, noise_ev_per_ang=1e-4), SETTINGS, n_workers=1
    )
    store = JobStore(MemoryStore())
    run_locally(job, store=store, ensure_success=True)
    document = store.query_one({"uuid": job.uuid})["output"]
    assert document["name"] == "test"
    assert set(document["dataset"]["sha256"]) == {"yaml", "forces_fc3"}
    assert document["potential"]["backend"] == "dataset_forces"
    deviations = document["deviations_percent"]
    assert len(deviations["potential_fc3"]) == 2
    assert max(deviations["potential_fc3"]) < -10.0
