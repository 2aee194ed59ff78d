"""ImportedDataGapMaker on the paper's CASTEP data: forces-only fits and the equilibrium fix."""

from __future__ import annotations

import pytest
from jobflow import JobStore, run_locally
from maggma.stores import MemoryStore

from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.settings import FitSettings
from phonogap.flows.imported_data_gap import ImportedDataGapMaker
from phonogap.importers.training_data import DatasetSpec, EquilibriumSettings
from phonogap.phonons.settings import PhononSettings
from phonogap.schemas.phonons import BenchmarkRow

SUBSET = {"mp-149": 22, "mp-168": 25}
"""Diamond and BC8 (the paper's hardest stable allotrope)."""


def run(bundled_dir, tmp_path, equilibrium: bool, geometry: str = "relaxed") -> dict:
    folder = bundled_dir / "george2020_castep_phonons" / "phonopy_yaml"
    maker = ImportedDataGapMaker(
        name=f"castep_eq{equilibrium}_{geometry}",
        datasets=[
            DatasetSpec(importer="phonopy", path=str(folder / f"{i}_phonopy.yaml"), name=m)
            for m, i in SUBSET.items()
        ],
        fit=FitSettings(hyperparameters=GapHyperparameters.small().with_n_sparse(60), f=0.01),
        equilibrium=EquilibriumSettings(enabled=equilibrium),
        phonons=PhononSettings(points_per_segment=11, mesh=(8, 8, 8), potential_geometry=geometry),
    )
    store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
    flow = maker.make()
    responses = run_locally(
        flow, store=store, create_folders=True, root_dir=tmp_path / maker.name, log=False
    )
    (summary,) = [
        r[1].output for r in responses.values() if type(r[1].output).__name__.startswith("Bench")
    ]
    return summary


@pytest.fixture(scope="module")
def summaries(bundled_dir, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("castep")
    return {eq: run(bundled_dir, tmp_path, eq) for eq in (False, True)}


def volume_change(row: BenchmarkRow) -> float:
    return row.volume_potential_ang3_per_atom / row.volume_reference_ang3_per_atom - 1


def test_forces_only_fit_records_its_observables(summaries):
    fit = summaries[False].fit
    assert summaries[False].settings["reference"] == "imported"
    assert fit.dataset_summary["observables"] == {"forces": 3, "force_atom_sigma": 3}
    assert summaries[True].fit.dataset_summary["observables"]["virial"] == 2


def test_equilibrium_constraints_keep_the_dft_volume(summaries):
    """Forces alone leave the volume free; zero stress at the DFT cells pins it.

    Measured (M = 60, f = 0.01): without the constraints BC8 changes its volume by 6% on
    relaxation with the 2026-11-24 dependency set and by 1.5% with the 2026-11-27 one (this
    60-sparse-point fit is that sensitive to numerics); with them both structures stay
    within 0.05% and the phonon RMS improves, in both.
    """
    without = {row.name: row for row in summaries[False].rows}
    with_eq = {row.name: row for row in summaries[True].rows}
    assert abs(volume_change(without["mp-168"])) > 0.01
    assert all(abs(volume_change(row)) < 0.005 for row in with_eq.values())
    assert summaries[True].median_rms_thz < summaries[False].median_rms_thz
    assert with_eq["mp-168"].rms_thz < 0.8  # measured 0.57 THz
    assert not summaries[True].failed
