"""The PhononAccurateGapMaker: structures → reference labels → GAP → phonon benchmark."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobflow import Flow, Job, Maker

from phonogap.database.settings import DatabaseSettings
from phonogap.fitting.settings import FitSettings
from phonogap.flows.kappa import KappaMaker
from phonogap.flows.maker_fields import validate_maker_fields
from phonogap.flows.stages import (
    TrainingData,
    benchmark_fit,
    fit_training_data,
    reference_training_data,
)
from phonogap.phonons.kappa_benchmark import KappaBenchmarkSettings
from phonogap.phonons.settings import PhononSettings
from phonogap.reference.field import ReferenceField
from phonogap.reference.stillinger_weber import StillingerWeberReference
from phonogap.structures.settings import FilterSettings, RelaxSettings

if TYPE_CHECKING:
    from pymatgen.core import Structure

    from phonogap.reference.base import Reference


@dataclass
class PhononAccurateGapMaker(Maker):
    """Fit a phonon-accurate GAP for a set of structures and benchmark its phonons.

    The Flow: relax the structures with the reference and drop those that changed (the paper's
    StructureMatcher filter) → single-displacement and/or randomised supercells → reference
    labels (one job, all cores) → ``gap_fit`` with the atom-wise force sigmas of Eq. 8 →
    per structure: relax with the GAP, phonopy, compare with the reference phonons rebuilt from
    the single-displacement labels (no extra reference calls) → one summary document.

    Parameters
    ----------
    name
        Flow name.
    reference
        Reference backend: a :class:`~phonogap.reference.base.Reference`, a registry name, or
        ``{"backend": name, **settings}``. Default: Stillinger–Weber silicon.
    database
        Database strategy and supercell settings.
    fit
        GAP hyperparameters (``preset``, M as ``n_sparse``) and the Eq. 8 factor ``f`` and
        floor ``f_min``. Default: GAP-18 descriptors, f = 0.001.
    relax
        Relaxations with the reference and the potential.
    filters
        StructureMatcher tolerances and the max-atoms filter.
    phonons
        Band path sampling and imaginary-mode mesh.
    kappa
        Structures whose lattice thermal conductivity is computed with phono3py (with the
        fitted potential and, if ``kappa.reference``, with the reference), and its settings.
    n_workers
        Processes for labelling, relaxations and force evaluations (default: all cores).
    """

    name: str = "phonon_accurate_gap"
    reference: ReferenceField = field(default_factory=StillingerWeberReference)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    fit: FitSettings = field(default_factory=FitSettings)
    relax: RelaxSettings = field(default_factory=RelaxSettings)
    filters: FilterSettings = field(default_factory=FilterSettings)
    phonons: PhononSettings = field(default_factory=PhononSettings)
    kappa: KappaBenchmarkSettings = field(default_factory=KappaBenchmarkSettings)
    n_workers: int | None = None

    def __post_init__(self) -> None:
        validate_maker_fields(self)

    def make(
        self,
        structures: dict[str, Structure] | list[Structure],
        mp_ids: dict[str, str] | None = None,
    ) -> Flow:
        """Build the Flow.

        Parameters
        ----------
        structures
            Name to structure (or a list, named ``structure_0`` ...).
        mp_ids
            Optional name to Materials Project id.

        Returns
        -------
        Flow
            The jobs; its output is the benchmark summary document.
        """
        if not isinstance(structures, dict):
            structures = {f"structure_{i}": s for i, s in enumerate(structures)}
        data = self.training_data(structures, mp_ids)
        fit = fit_training_data(
            data,
            self.fit.hyperparameters,
            f=self.fit.f,
            f_min=self.fit.f_min,
            launcher=self.fit.launcher,
        )
        kappa_jobs = self.kappa_jobs(structures, data.reference, fit)
        benchmark = benchmark_fit(
            data,
            fit,
            relax_settings=self.relax,
            phonon_settings=self.phonons,
            run_name=self.name,
            settings=self.run_settings(data.reference),
            kappa=[job.output for job in kappa_jobs],
            n_workers=self.n_workers,
        )
        return Flow(
            [*data.jobs, fit, *kappa_jobs, benchmark], output=benchmark.output, name=self.name
        )

    def training_data(
        self,
        structures: dict[str, Structure] | list[Structure],
        mp_ids: dict[str, str] | None = None,
    ) -> TrainingData:
        """Build the data stage: relax with the reference, generate and label the database.

        Parameters
        ----------
        structures
            Name to structure (or a list, named ``structure_0`` ...).
        mp_ids
            Optional name to Materials Project id.

        Returns
        -------
        TrainingData
            The relax, database and label jobs and references to their outputs.
        """
        if not isinstance(structures, dict):
            structures = {f"structure_{i}": s for i, s in enumerate(structures)}
        if not structures:
            raise ValueError("PhononAccurateGapMaker.make needs at least one structure")
        unknown = sorted(set(self.kappa.structures) - set(structures))
        if unknown:
            raise ValueError(
                f"kappa.structures {unknown} are not among the structures "
                f"{sorted(structures)}; use their names (mp ids for bundled allotropes)"
            )
        return reference_training_data(
            structures,
            self.reference,
            self.database,
            mp_ids=mp_ids,
            relax_settings=self.relax,
            filter_settings=self.filters,
            n_workers=self.n_workers,
        )

    def kappa_jobs(
        self, structures: dict[str, Structure], reference: Reference, fit: Job
    ) -> list[Job]:
        """Build the optional phono3py jobs (potential, and reference if asked).

        Parameters
        ----------
        structures
            All input structures (each kappa job relaxes with its own force source).
        reference
            The resolved reference.
        fit
            The fit job, whose output is the potential.

        Returns
        -------
        list of Job
            Two jobs per structure in ``kappa.structures`` (one without the reference).
        """
        maker = KappaMaker(
            settings=self.kappa.settings,
            reference=reference,
            relax=self.relax,
            n_workers=self.n_workers,
        )
        jobs = []
        for name in self.kappa.structures:
            if self.kappa.reference:
                jobs.append(maker.make(structures[name], label=f"{name} reference"))
            jobs.append(maker.make(structures[name], potential=fit.output, label=f"{name} GAP"))
        return jobs

    def run_settings(self, reference: Reference) -> dict[str, Any]:
        """Summarise the settings that define this run (stored with the results).

        Parameters
        ----------
        reference
            The resolved reference.

        Returns
        -------
        dict
            Reference, strategy, f, F_min, M and supercell settings.
        """
        return {
            "reference": reference.backend,
            "strategy": self.database.strategy,
            "f": self.fit.f,
            "f_min_ev_per_ang": self.fit.f_min,
            "n_sparse": self.fit.n_sparse,
            "n_randomised": self.database.n_randomised,
            "min_supercell_length_ang": self.database.min_supercell_length_ang,
            "displacement_ang": self.database.displacement_ang,
        }
