"""Makers that extend an existing database with phonon supercells (the paper's final result).

``GeneralDatabaseMaker`` generates a general-purpose base database with the reference (MD
liquid, amorphous and defective diamond, strained diamond). ``ExtendDatabaseMaker`` adds
single-displacement and randomised supercells of given structures to any base database, fits
with a per-config_type sparse split (M_base + M_new) and benchmarks phonons, optionally also of
the base-only fit and with the melt–quench transferability benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobflow import Flow, Maker

from phonogap.database.extension_settings import ExtensionSettings
from phonogap.database.general import GeneralDatabaseSettings
from phonogap.database.settings import DatabaseSettings
from phonogap.fitting.settings import ExtensionFitSettings
from phonogap.flows.maker_fields import validate_maker_fields
from phonogap.flows.melt_quench import MeltQuenchMaker
from phonogap.flows.stages import TrainingData, benchmark_fit, reference_training_data
from phonogap.importers.registry import ImportedDataset
from phonogap.jobs.database import extend_database, general_database
from phonogap.jobs.fitting import fit_extended_gap
from phonogap.phonons.settings import PhononSettings
from phonogap.reference.field import ReferenceField
from phonogap.reference.stillinger_weber import StillingerWeberReference
from phonogap.structures.settings import FilterSettings, RelaxSettings

if TYPE_CHECKING:
    from pymatgen.core import Structure


@dataclass
class GeneralDatabaseMaker(Maker):
    """Generate a general-purpose base database labelled by the reference.

    Parameters
    ----------
    name
        Job name.
    reference
        Drives the MD and labels (default: Stillinger–Weber).
    settings
        What to generate; ``{"preset": "ci"}`` (or ``GeneralDatabaseSettings.ci()``) builds in
        seconds, ``{"preset": "default"}`` in minutes with ``sw``.
    n_workers
        Processes for labelling.
    """

    name: str = "general_database"
    reference: ReferenceField = field(default_factory=StillingerWeberReference)
    settings: GeneralDatabaseSettings = field(default_factory=GeneralDatabaseSettings)
    n_workers: int | None = None

    def __post_init__(self) -> None:
        validate_maker_fields(self)

    def make(self) -> Flow:
        """Build the Flow (one job).

        Returns
        -------
        Flow
            Output: the labelled :class:`~phonogap.schemas.dataset.LabelledDatasetDocument`.
        """
        job = general_database(self.settings, self.reference, n_workers=self.n_workers)
        job.name = self.name
        return Flow([job], output=job.output, name=self.name)


@dataclass
class ExtendDatabaseMaker(Maker):
    """Add phonon supercells to a base database, refit, benchmark phonons (and melt–quench).

    Parameters
    ----------
    name
        Flow name.
    reference
        Labels the new configurations and gives the reference phonons (default: ``sw``).
        It must be the reference (functional) the base database was labelled with.
    database
        Strategy and supercells of the new configurations.
    fit
        Descriptors and base config_type sigmas (``soap.n_sparse`` is replaced by the split),
        and the Eq. 8 factor and floor for the new single displacements (default f = 0.01:
        the paper's choice that keeps transferability; 0.001 breaks it).
    extension
        The sparse split M_base + M_new (the paper: 9,000 + 3,000), the new randomised
        cells' sigma, whether to benchmark the base alone (default: yes), and the optional
        melt–quench benchmark.
    relax, filters, phonons
        As in :class:`~phonogap.flows.PhononAccurateGapMaker`.
    n_workers
        Processes.
    """

    name: str = "extend_database"
    reference: ReferenceField = field(default_factory=StillingerWeberReference)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    fit: ExtensionFitSettings = field(default_factory=ExtensionFitSettings)
    extension: ExtensionSettings = field(default_factory=ExtensionSettings)
    relax: RelaxSettings = field(default_factory=RelaxSettings)
    filters: FilterSettings = field(default_factory=FilterSettings)
    phonons: PhononSettings = field(default_factory=PhononSettings)
    n_workers: int | None = None

    def __post_init__(self) -> None:
        validate_maker_fields(self)

    def make(
        self,
        structures: dict[str, Structure],
        base: Any,
        mp_ids: dict[str, str] | None = None,
    ) -> Flow:
        """Build the Flow.

        Parameters
        ----------
        structures
            Name to structure whose supercells extend the database.
        base
            The base database: a ``LabelledDatasetDocument`` (or an output reference to one,
            e.g. from :class:`GeneralDatabaseMaker`) or an importer's ``ImportedDataset``.
        mp_ids
            Optional name to Materials Project id.

        Returns
        -------
        Flow
            Output: ``{"fit", "dataset", "phonons", "base_fit", "base_phonons",
            "melt_quench"}`` (the last three None unless asked for).
        """
        if not structures:
            raise ValueError("ExtendDatabaseMaker.make needs at least one structure")
        if isinstance(base, ImportedDataset):
            base = base.to_document()
        reference = self.reference
        extension = self.extension
        data = reference_training_data(
            structures,
            reference,
            self.database,
            mp_ids=mp_ids,
            relax_settings=self.relax,
            filter_settings=self.filters,
            n_workers=self.n_workers,
        )
        merged = extend_database(
            base,
            data.dataset,
            extension.n_sparse_base,
            extension.n_sparse_new,
            extension.base_split,
            extension.new_split,
        )
        fit = self._fit(merged, f"extended f={self.fit.f}", self.fit.f)
        jobs = [*data.jobs, merged, fit]
        output: dict[str, Any] = {"fit": fit.output, "dataset": merged.output}
        phonons = self._benchmark(data, fit, "extended")
        jobs.append(phonons)
        output["phonons"] = phonons.output
        candidates = {"extended": fit.output}
        output["base_fit"] = output["base_phonons"] = output["melt_quench"] = None
        if extension.benchmark_base:
            base_only = extend_database(
                base, None, extension.n_sparse_base, 0, extension.base_split, None
            )
            base_only.name = "base_database"
            base_fit = self._fit(base_only, "base", None)
            base_phonons = self._benchmark(data, base_fit, "base")
            jobs += [base_only, base_fit, base_phonons]
            output["base_fit"], output["base_phonons"] = base_fit.output, base_phonons.output
            candidates["base"] = base_fit.output
        if extension.melt_quench is not None:
            melt = MeltQuenchMaker(
                name=f"{self.name} melt_quench",
                settings=extension.melt_quench,
                reference=reference,
                n_workers=self.n_workers,
            ).make(candidates)
            jobs.append(melt)
            output["melt_quench"] = melt.output
        return Flow(jobs, output=output, name=self.name)

    def _fit(self, dataset: Any, label: str, f: float | None) -> Any:
        fit = fit_extended_gap(
            dataset.output,
            self.fit.hyperparameters,
            f=f,
            f_min=self.fit.f_min,
            randomised_sigma=self.extension.randomised_sigma,
            label=label,
            launcher=self.fit.launcher,
        )
        fit.name = f"fit_gap {label}"
        return fit

    def _benchmark(self, data: TrainingData, fit: Any, label: str) -> Any:
        return benchmark_fit(
            data,
            fit,
            relax_settings=self.relax,
            phonon_settings=self.phonons,
            run_name=f"{self.name} {label}",
            settings={
                "reference": data.reference.backend if data.reference else "imported",
                "label": label,
                "f": self.fit.f if label != "base" else None,
                "n_sparse_base": self.extension.n_sparse_base,
                "n_sparse_new": self.extension.n_sparse_new if label != "base" else 0,
                "strategy": self.database.strategy,
            },
            n_workers=self.n_workers,
        )
