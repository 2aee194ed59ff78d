"""The two stages every phonogap Flow shares: training data, then fit + phonon benchmark.

A Maker that owns a data source (labelling structures with a reference, or importing DFT
datasets) returns :class:`TrainingData`; :func:`fit_training_data` and :func:`benchmark_fit`
turn it into a potential and its benchmark. Scans reuse one :class:`TrainingData` for many fits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from phonogap.jobs.database import build_database
from phonogap.jobs.fitting import fit_gap
from phonogap.jobs.labels import labelling_job
from phonogap.jobs.phonons import benchmark_phonons
from phonogap.jobs.structures import relaxation_job
from phonogap.schemas.keys import SINGLE_DISPLACEMENT

if TYPE_CHECKING:
    from jobflow import Job
    from pymatgen.core import Structure

    from phonogap.database.settings import DatabaseSettings
    from phonogap.fitting.hyperparameters import GapHyperparameters
    from phonogap.fitting.launcher import GapFitLauncher
    from phonogap.phonons.settings import PhononSettings
    from phonogap.reference.base import Reference
    from phonogap.structures.settings import FilterSettings, RelaxSettings


@dataclass
class TrainingData:
    """Jobs producing a labelled training set and the reference phonons it contains.

    Attributes
    ----------
    jobs
        The jobs to put in the Flow.
    dataset
        Reference to the labelled dataset (a ``LabelledDatasetDocument``).
    setups
        Reference to the list of ``PhononSetup`` of the benchmarked structures.
    relaxation
        Reference to the reference relaxation document, or ``None`` (imported data).
    mp_ids
        Structure name to Materials Project id (a dict or a reference to one).
    reference
        The reference backend, or ``None`` when every reference force is in the data.
    """

    jobs: list[Job]
    dataset: Any
    setups: Any
    relaxation: Any = None
    mp_ids: Any = field(default_factory=dict)
    reference: Reference | None = None


def reference_training_data(
    structures: dict[str, Structure],
    reference: Reference,
    database: DatabaseSettings,
    *,
    mp_ids: dict[str, str] | None,
    relax_settings: RelaxSettings,
    filter_settings: FilterSettings,
    n_workers: int | None,
) -> TrainingData:
    """Build the data stage of a reference: relax and filter, generate, label.

    The relax and label steps go through :func:`relaxation_job` and :func:`labelling_job`,
    so DFT references get atomate2 relaxations and one labelling job per configuration.

    Parameters
    ----------
    structures
        Name to structure.
    reference
        The resolved reference backend.
    database
        Database strategy and supercell settings.
    mp_ids
        Optional name to Materials Project id.
    relax_settings, filter_settings
        Reference relaxation and StructureMatcher filter.
    n_workers
        Processes for cheap backends.

    Returns
    -------
    TrainingData
        The relax, database and label jobs and references to their outputs.
    """
    relax = relaxation_job(
        structures,
        reference,
        mp_ids=mp_ids,
        relax_settings=relax_settings,
        filter_settings=filter_settings,
        n_workers=n_workers,
    )
    generated = build_database(relax.output, database)
    labels = labelling_job(generated.output, reference, n_workers=n_workers)
    return TrainingData(
        jobs=[relax, generated, labels],
        dataset=labels.output,
        setups=generated.output.phonon_setups,
        relaxation=relax.output,
        reference=reference,
    )


def fit_training_data(
    data: TrainingData,
    hyperparameters: GapHyperparameters,
    *,
    f: float | None,
    f_min: float,
    exclude_config_types: tuple[str, ...] = (),
    launcher: GapFitLauncher | None = None,
) -> Job:
    """Fit a GAP to the training data (Eq. 8 sigmas on the single displacements).

    Parameters
    ----------
    data
        The training-data stage.
    hyperparameters
        GAP settings (M included).
    f, f_min
        Eq. 8 factor (``None``: fixed sigmas) and force floor (eV/Å).
    exclude_config_types
        config_types left out of this fit (e.g. ``("randomised",)``).
    launcher
        How gap_fit starts (``fit.launcher``).

    Returns
    -------
    Job
        The fit job.
    """
    return fit_gap(
        data.dataset,
        hyperparameters,
        f=f,
        f_min=f_min,
        atomwise_config_types=(SINGLE_DISPLACEMENT,),
        exclude_config_types=exclude_config_types,
        launcher=launcher,
    )


def benchmark_fit(
    data: TrainingData,
    fit: Job,
    *,
    relax_settings: RelaxSettings,
    phonon_settings: PhononSettings,
    run_name: str,
    settings: dict[str, Any],
    kappa: list[Any] | None = None,
    n_workers: int | None = None,
) -> Job:
    """Benchmark a fitted GAP on the phonons of the training data's structures.

    Parameters
    ----------
    data
        The training-data stage (reference phonons come from its labels).
    fit
        The fit job.
    relax_settings, phonon_settings
        Relaxation with the GAP; phonon comparison.
    run_name
        Name of the benchmark summary.
    settings
        Run settings stored with the summary.
    kappa
        Outputs of kappa jobs to attach to the summary.
    n_workers
        Processes for force evaluations.

    Returns
    -------
    Job
        The benchmark job; its output is the summary document.
    """
    return benchmark_phonons(
        data.relaxation,
        data.setups,
        data.dataset.configurations,
        fit.output,
        data.reference,
        run_name=run_name,
        relax_settings=relax_settings,
        phonon_settings=phonon_settings,
        settings=settings,
        kappa=kappa or [],
        n_workers=n_workers,
        mp_ids=data.mp_ids,
    )
