"""The PhononAccurateGapMaker: structures → reference labels → GAP → phonon benchmark."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobflow import Flow, Job, Maker

from phonogap.database.settings import DatabaseSettings
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.flows.kappa import KappaMaker
from phonogap.flows.stages import (
    TrainingData,
    benchmark_fit,
    fit_training_data,
    reference_training_data,
)
from phonogap.phonons.kappa import KappaSettings
from phonogap.phonons.settings import PhononSettings
from phonogap.reference.registry import reference_from_spec
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
    hyperparameters
        GAP hyperparameters; ``n_sparse`` (M) lives here. Default: GAP-18 descriptors.
    f
        Eq. 8 regularisation factor; ``None`` for GAP-18's fixed sigmas only.
    f_min
        Eq. 8 force floor F_min (eV/Å).
    relax_settings
        Relaxations with the reference and the potential.
    filter_settings
        StructureMatcher tolerances and the max-atoms filter.
    phonon_settings
        Band path sampling and imaginary-mode mesh.
    kappa_structures
        Names of structures whose lattice thermal conductivity is computed with phono3py
        (with the fitted potential and, if ``kappa_of_reference``, with the reference).
    kappa_settings
        phono3py settings (default: 0.03 Å pair displacements, 11³ mesh, 300/600/900 K).
    kappa_of_reference
        Also compute the reference's kappa (cheap for ``sw``; extra labels for DFT).
    n_workers
        Processes for labelling, relaxations and force evaluations (default: all cores).
    """

    name: str = "phonon_accurate_gap"
    reference: Any = field(default_factory=StillingerWeberReference)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    hyperparameters: GapHyperparameters = field(default_factory=GapHyperparameters.gap18)
    f: float | None = 0.001
    f_min: float = 0.01
    relax_settings: RelaxSettings = field(default_factory=RelaxSettings)
    filter_settings: FilterSettings = field(default_factory=FilterSettings)
    phonon_settings: PhononSettings = field(default_factory=PhononSettings)
    kappa_structures: list[str] = field(default_factory=list)
    kappa_settings: KappaSettings = field(default_factory=KappaSettings)
    kappa_of_reference: bool = True
    n_workers: int | None = None

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
        fit = fit_training_data(data, self.hyperparameters, f=self.f, f_min=self.f_min)
        kappa_jobs = self.kappa_jobs(structures, data.reference, fit)
        benchmark = benchmark_fit(
            data,
            fit,
            relax_settings=self.relax_settings,
            phonon_settings=self.phonon_settings,
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
        unknown = sorted(set(self.kappa_structures) - set(structures))
        if unknown:
            raise ValueError(
                f"kappa_structures {unknown} are not among the structures "
                f"{sorted(structures)}; use their names (mp ids for bundled allotropes)"
            )
        return reference_training_data(
            structures,
            reference_from_spec(self.reference),
            self.database,
            mp_ids=mp_ids,
            relax_settings=self.relax_settings,
            filter_settings=self.filter_settings,
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
            Two jobs per structure in :attr:`kappa_structures` (one without the reference).
        """
        maker = KappaMaker(
            settings=self.kappa_settings,
            reference=reference,
            relax_settings=self.relax_settings,
            n_workers=self.n_workers,
        )
        jobs = []
        for name in self.kappa_structures:
            if self.kappa_of_reference:
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
            "f": self.f,
            "f_min_ev_per_ang": self.f_min,
            "n_sparse": self.hyperparameters.soap.n_sparse,
            "n_randomised": self.database.n_randomised,
            "min_supercell_length_ang": self.database.min_supercell_length_ang,
            "displacement_ang": self.database.displacement_ang,
        }
