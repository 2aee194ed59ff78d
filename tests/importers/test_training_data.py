"""Importing several datasets into one training set with their reference phonon setups."""

from __future__ import annotations

from pathlib import Path

import pytest

from phonogap.database.equilibrium import EQUILIBRIUM
from phonogap.flows.imported_data_gap import ImportedDataGapMaker
from phonogap.importers.training_data import DatasetSpec, EquilibriumSettings, import_training_data
from phonogap.schemas.keys import SINGLE_DISPLACEMENT


@pytest.fixture
def castep_specs(bundled_dir):
    folder = bundled_dir / "george2020_castep_phonons" / "phonopy_yaml"
    return [
        DatasetSpec(importer="phonopy", path=str(folder / "22_phonopy.yaml"), mp_id="mp-149"),
        DatasetSpec(
            importer="phonopy", path=str(folder / "25_phonopy.yaml"), name="bc8", mp_id="mp-168"
        ),
    ]


def test_two_castep_datasets_with_equilibrium_cells(castep_specs):
    document = import_training_data(castep_specs, EquilibriumSettings(enabled=True))
    kinds = [c.config_type for c in document.configurations]
    # diamond: 1 displacement of a 128-atom cell; BC8: 2 displacements of 216 atoms
    assert kinds.count(SINGLE_DISPLACEMENT) == 3
    assert kinds.count(EQUILIBRIUM) == 2
    assert [s.name for s in document.phonon_setups] == ["22_phonopy", "bc8"]
    assert [s.n_displacements for s in document.phonon_setups] == [1, 2]
    assert document.mp_ids == {"22_phonopy": "mp-149", "bc8": "mp-168"}
    equilibrium = [c for c in document.configurations if c.config_type == EQUILIBRIUM]
    assert [len(c.symbols) for c in equilibrium] == [2, 8]  # the unit cells, not supercells
    # forces-only data: no energies anywhere; virials only on the equilibrium cells
    assert document.summary["observables"] == {"forces": 5, "virial": 2}
    assert len(document.input_checksum) == 64


def test_without_equilibrium_only_forces(castep_specs):
    document = import_training_data(castep_specs)
    assert {c.config_type for c in document.configurations} == {SINGLE_DISPLACEMENT}
    assert all(c.virial_ev is None for c in document.configurations)


def test_relative_paths_resolve_against_the_workflow(castep_specs):
    spec = DatasetSpec(importer="phonopy", path="phonopy_yaml/22_phonopy.yaml")
    resolved = spec.resolved(Path("/data/castep"))
    assert resolved.path == "/data/castep/phonopy_yaml/22_phonopy.yaml"
    with pytest.raises(FileNotFoundError, match=r"/nonexistent/phonopy_yaml/22_phonopy\.yaml"):
        import_training_data([spec.resolved(Path("/nonexistent"))])


def test_maker_sets_e0_and_equilibrium_sigma(castep_specs):
    maker = ImportedDataGapMaker(
        datasets=castep_specs, equilibrium=EquilibriumSettings(enabled=True)
    )
    hyper = maker.fitted_hyperparameters()
    assert hyper.e0 == 0.0  # forces fix the energy only up to a constant
    assert hyper.config_type_sigma[EQUILIBRIUM][2] == pytest.approx(0.0124830, rel=1e-5)
    assert maker.fit.hyperparameters.e0 is None  # the Maker itself is unchanged
    flow = maker.make()
    assert [job.name for job in flow.jobs] == ["import_datasets", "fit_gap", "benchmark_phonons"]
