"""ImportedDataGapMaker: a GAP from existing DFT data, benchmarked on the phonons it holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jobflow import Flow, Maker

from phonogap.database.equilibrium import EQUILIBRIUM, equilibrium_sigma
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.settings import FitSettings
from phonogap.flows.maker_fields import validate_maker_fields
from phonogap.flows.stages import TrainingData, benchmark_fit, fit_training_data
from phonogap.importers.training_data import DatasetSpec, EquilibriumSettings
from phonogap.jobs.importers import import_datasets
from phonogap.phonons.settings import PhononSettings
from phonogap.structures.settings import RelaxSettings

TYPICAL_VOLUME_ANG3_PER_ATOM = 20.0
"""Volume per atom that turns the stress tolerance into a virial sigma (Si: 20 Å³/atom)."""


@dataclass
class ImportedDataGapMaker(Maker):
    """Fit a GAP to imported DFT datasets and benchmark it on their phonons.

    The paper's experiment on its own data: every single-displacement supercell of the
    phonopy datasets (forces only) is a training configuration with the atom-wise force
    sigmas of Eq. 8, and each dataset's forces give the reference phonons. Flow: import →
    ``gap_fit`` → per structure: relax with the GAP, phonopy with the dataset's supercell,
    compare → summary.

    Parameters
    ----------
    name
        Flow name.
    datasets
        The datasets to import (absolute paths; see :class:`DatasetSpec`).
    fit
        GAP hyperparameters (``preset``, M as ``n_sparse``), Eq. 8 ``f`` and ``f_min``.
        Forces-only data fix the energy only up to a constant, so ``e0`` defaults to 0 when
        no isolated atom is imported.
    equilibrium
        Zero-stress constraints at the reference cells: forces-only data say nothing about
        the equilibrium volume, these do (see :mod:`phonogap.database.equilibrium`). Without
        them a forces-only GAP can collapse a cell; the relaxation guard then fails that
        structure's benchmark with a message naming this option.
    relax
        Relaxation with the GAP.
    phonons
        Band path, mesh, and whether to compare at the relaxed or the reference geometry.
    n_workers
        Processes for force evaluations.
    """

    name: str = "imported_data_gap"
    datasets: list[DatasetSpec] = field(default_factory=list)
    fit: FitSettings = field(default_factory=FitSettings)
    equilibrium: EquilibriumSettings = field(default_factory=EquilibriumSettings)
    relax: RelaxSettings = field(default_factory=RelaxSettings)
    phonons: PhononSettings = field(default_factory=PhononSettings)
    n_workers: int | None = None

    def __post_init__(self) -> None:
        validate_maker_fields(self)

    def make(self) -> Flow:
        """Build the Flow.

        Returns
        -------
        Flow
            Import, fit and benchmark jobs; its output is the benchmark summary.
        """
        data = self.training_data()
        fit = fit_training_data(
            data,
            self.fitted_hyperparameters(),
            f=self.fit.f,
            f_min=self.fit.f_min,
            launcher=self.fit.launcher,
        )
        benchmark = benchmark_fit(
            data,
            fit,
            relax_settings=self.relax,
            phonon_settings=self.phonons,
            run_name=self.name,
            settings=self.run_settings(),
            n_workers=self.n_workers,
        )
        return Flow([*data.jobs, fit, benchmark], output=benchmark.output, name=self.name)

    def training_data(self) -> TrainingData:
        """Build the data stage: one import job.

        Returns
        -------
        TrainingData
            The import job and references to its dataset, setups and mp ids.
        """
        if not self.datasets:
            raise ValueError("ImportedDataGapMaker needs at least one dataset to import")
        imported = import_datasets(self.datasets, self.equilibrium)
        return TrainingData(
            jobs=[imported],
            dataset=imported.output,
            setups=imported.output.phonon_setups,
            mp_ids=imported.output.mp_ids,
        )

    def fitted_hyperparameters(self) -> GapHyperparameters:
        """Return the hyperparameters with e0 and the equilibrium sigmas filled in.

        Returns
        -------
        GapHyperparameters
            A copy; the Maker is not changed.
        """
        updates: dict[str, Any] = {}
        hyperparameters = self.fit.hyperparameters
        if hyperparameters.e0 is None:
            updates["e0"] = 0.0
        if self.equilibrium.enabled:
            sigma = equilibrium_sigma(
                self.equilibrium.stress_tolerance_gpa,
                self.equilibrium.force_tolerance_ev_per_ang,
                TYPICAL_VOLUME_ANG3_PER_ATOM,
            )
            updates["config_type_sigma"] = {
                **hyperparameters.config_type_sigma,
                EQUILIBRIUM: sigma,
            }
        return GapHyperparameters.model_validate({**hyperparameters.model_dump(), **updates})

    def run_settings(self) -> dict[str, Any]:
        """Summarise the settings that define this run (stored with the results).

        Returns
        -------
        dict
            Reference, f, F_min, M, equilibrium constraints and comparison geometry.
        """
        return {
            "reference": "imported",
            "datasets": [spec.path for spec in self.datasets],
            "f": self.fit.f,
            "f_min_ev_per_ang": self.fit.f_min,
            "n_sparse": self.fit.n_sparse,
            "equilibrium": self.equilibrium.enabled,
            "potential_geometry": self.phonons.potential_geometry,
        }
