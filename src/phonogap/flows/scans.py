"""Scans as Makers: the regularisation study (f) and the learning curve (M) of the paper.

Both label (or import) the training data once and fit one GAP per variant, each benchmarked on
the same reference phonons; a final job collects every variant and structure into one
:class:`~phonogap.schemas.scans.ScanSummaryDocument`. A failed variant is listed in the summary
and never blocks the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobflow import Flow, Maker, OnMissing

from phonogap.flows.imported_data_gap import ImportedDataGapMaker
from phonogap.flows.phonon_accurate_gap import PhononAccurateGapMaker
from phonogap.flows.stages import benchmark_fit, fit_training_data
from phonogap.jobs.summaries import summarise_scan
from phonogap.schemas.keys import RANDOMISED
from phonogap.schemas.scans import ScanVariant

if TYPE_CHECKING:
    from pymatgen.core import Structure

    from phonogap.fitting.hyperparameters import GapHyperparameters
    from phonogap.flows.stages import TrainingData

BaseMaker = PhononAccurateGapMaker | ImportedDataGapMaker


@dataclass
class ParameterScanMaker(Maker):
    """Shared machinery of the scans; subclasses list their variants.

    Parameters
    ----------
    name
        Flow name; each variant's benchmark is named ``"<name> <label>"``.
    base
        The Maker whose data, hyperparameters and settings every variant starts from.
    """

    name: str = "parameter_scan"
    base: BaseMaker = field(default_factory=PhononAccurateGapMaker)
    parameter = "parameter"

    def variants(self) -> list[ScanVariant]:
        """List the fits of the scan (implemented by subclasses).

        Returns
        -------
        list of ScanVariant
            One per fit.
        """
        raise NotImplementedError

    def make(
        self,
        structures: dict[str, Structure] | list[Structure] | None = None,
        mp_ids: dict[str, str] | None = None,
    ) -> Flow:
        """Build the Flow: data once, one fit + benchmark per variant, one scan summary.

        Parameters
        ----------
        structures
            Structures for a :class:`PhononAccurateGapMaker` base (None for imported data).
        mp_ids
            Optional name to Materials Project id.

        Returns
        -------
        Flow
            Its output is the scan summary.
        """
        data = self.training_data(structures, mp_ids)
        variants = self.variants()
        if not variants:
            raise ValueError(f"{type(self).__name__} has no variants: give at least one value")
        jobs, summaries = list(data.jobs), []
        for variant in variants:
            fit = fit_training_data(
                data,
                self.hyperparameters_for(variant),
                f=variant.f,
                f_min=self.base.fit.f_min,
                exclude_config_types=() if variant.with_randomised else (RANDOMISED,),
                launcher=self.base.fit.launcher,
            )
            fit.name = f"fit_gap {variant.label}"
            benchmark = benchmark_fit(
                data,
                fit,
                relax_settings=self.base.relax,
                phonon_settings=self.base.phonons,
                run_name=f"{self.name} {variant.label}",
                settings={**self.settings(), **variant.model_dump()},
                n_workers=self.base.n_workers,
            )
            benchmark.name = f"benchmark_phonons {variant.label}"
            jobs.extend([fit, benchmark])
            summaries.append(benchmark.output)
        summary = summarise_scan(
            summaries, variants, self.name, self.parameter, settings=self.settings()
        )
        summary.config.on_missing_references = OnMissing.NONE
        return Flow([*jobs, summary], output=summary.output, name=self.name)

    def training_data(
        self,
        structures: dict[str, Structure] | list[Structure] | None,
        mp_ids: dict[str, str] | None,
    ) -> TrainingData:
        """Build the base Maker's data stage.

        Parameters
        ----------
        structures
            Structures (PhononAccurateGapMaker base) or None (imported data).
        mp_ids
            Optional name to Materials Project id.

        Returns
        -------
        TrainingData
            Shared by every variant.
        """
        if isinstance(self.base, ImportedDataGapMaker):
            if structures:
                raise ValueError("an imported-data scan takes its structures from the datasets")
            return self.base.training_data()
        if not structures:
            raise ValueError(
                f"{type(self).__name__} with a PhononAccurateGapMaker base needs structures"
            )
        if not isinstance(structures, dict):
            structures = {f"structure_{i}": s for i, s in enumerate(structures)}
        return self.base.training_data(structures, mp_ids)

    def base_hyperparameters(self) -> GapHyperparameters:
        """Return the base hyperparameters (with e0 and equilibrium sigmas for imported data).

        Returns
        -------
        GapHyperparameters
            The starting point of every variant.
        """
        if isinstance(self.base, ImportedDataGapMaker):
            return self.base.fitted_hyperparameters()
        return self.base.fit.hyperparameters

    def hyperparameters_for(self, variant: ScanVariant) -> GapHyperparameters:
        """Return the hyperparameters of one variant.

        Parameters
        ----------
        variant
            The variant.

        Returns
        -------
        GapHyperparameters
            The base hyperparameters with the variant's M.
        """
        return self.base_hyperparameters().with_n_sparse(variant.n_sparse)

    def has_randomised(self) -> bool:
        """Tell whether the base data can hold randomised supercells.

        Returns
        -------
        bool
            True for a PhononAccurateGapMaker whose strategy generates them.
        """
        return isinstance(self.base, PhononAccurateGapMaker) and self.base.database.strategy in (
            "randomised",
            "both",
        )

    def settings(self) -> dict[str, Any]:
        """Describe the settings shared by all variants (stored with the scan summary).

        Returns
        -------
        dict
            The base Maker's run settings and the scanned parameter.
        """
        if isinstance(self.base, ImportedDataGapMaker):
            shared = self.base.run_settings()
        else:
            shared = self.base.run_settings(self.base.reference)
        return {**shared, "scanned": self.parameter}


@dataclass
class RegularizationScanMaker(ParameterScanMaker):
    """Scan the Eq. 8 factor f, with and without randomised supercells (the paper's Fig. 3).

    Parameters
    ----------
    name
        Flow name.
    base
        Data source and fixed settings (M from its hyperparameters).
    f_values
        The f values; ``None`` stands for GAP-18's fixed sigmas.
    with_randomised
        Which training sets to fit: ``[False]`` single displacements only, ``[True]`` with
        the randomised supercells as well (needs a base strategy of ``both``).
    """

    name: str = "regularization_scan"
    f_values: list[float | None] = field(default_factory=lambda: [0.1, 0.01, 0.001, 0.0001])
    with_randomised: list[bool] = field(default_factory=lambda: [False])
    parameter = "f"

    def variants(self) -> list[ScanVariant]:
        """List one fit per (f, training set).

        Returns
        -------
        list of ScanVariant
            In the order of ``with_randomised`` then ``f_values``.
        """
        if True in self.with_randomised and not self.has_randomised():
            raise ValueError(
                "with_randomised includes True but the base data has no randomised supercells; "
                "set the base database strategy to 'both' or use with_randomised: [false]"
            )
        n_sparse = self.base_hyperparameters().soap.n_sparse
        return [
            ScanVariant(
                label=_variant_label(f, randomised),
                f=f,
                n_sparse=n_sparse,
                with_randomised=randomised,
            )
            for randomised in self.with_randomised
            for f in self.f_values
        ]


def _variant_label(f: float | None, randomised: bool) -> str:
    text = "f=fixed" if f is None else f"f={f:g}"
    return text + (", +randomised" if randomised else "")


@dataclass
class LearningCurveMaker(ParameterScanMaker):
    """Fit with increasing numbers of sparse points M (a learning curve in model size).

    Parameters
    ----------
    name
        Flow name.
    base
        Data source and fixed settings (f from it).
    n_sparse_values
        The M values.
    with_randomised
        Include the randomised supercells (needs a base strategy of ``both``).
    """

    name: str = "learning_curve"
    n_sparse_values: list[int] = field(default_factory=lambda: [100, 300, 1000, 3000])
    with_randomised: bool = True
    parameter = "n_sparse"

    def variants(self) -> list[ScanVariant]:
        """List one fit per M.

        Returns
        -------
        list of ScanVariant
            In the order of ``n_sparse_values``.
        """
        randomised = self.with_randomised and self.has_randomised()
        return [
            ScanVariant(label=f"M={m}", f=self.base.fit.f, n_sparse=m, with_randomised=randomised)
            for m in self.n_sparse_values
        ]
