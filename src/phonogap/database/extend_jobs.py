"""Jobs of database extension: generate a general database, merge, fit with a sparse split."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from jobflow import job
from pydantic import Field

from phonogap.database.extend import (
    RANDOMISED_SIGMA,
    atoms_per_config_type,
    extension_sparse_split,
    merge_databases,
)
from phonogap.database.extxyz import labelled_summary
from phonogap.database.general import GeneralDatabaseSettings, general_configurations
from phonogap.database.keys import RANDOMISED, SINGLE_DISPLACEMENT
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.jobs import fit_gap_in_directory
from phonogap.reference.evaluate import evaluate_configurations
from phonogap.reference.registry import reference_from_spec
from phonogap.schemas.configuration import to_atoms_list, to_configurations
from phonogap.schemas.dataset import LabelledDatasetDocument
from phonogap.schemas.fit import GapFitDocument
from phonogap.schemas.provenance import checksum_of, software_versions

logger = logging.getLogger(__name__)


class ExtendedDatasetDocument(LabelledDatasetDocument):
    """A base database merged with new configurations, and the sparse split to fit it with."""

    sparse_split: dict[str, int] = Field(description="config_type_n_sparse (count)")
    n_sparse_base: int = Field(description="M_base: sparse points from base config_types")
    n_sparse_new: int = Field(description="M_new: sparse points from the new configurations")
    base_config_types: list[str]
    new_config_types: list[str]
    base_summary: dict = Field(default_factory=dict)
    new_summary: dict = Field(default_factory=dict)


class ExtendedFitDocument(GapFitDocument):
    """A GAP fitted to an extended database; records the whole sparse split."""

    sparse_split: dict[str, int] = Field(description="config_type_n_sparse passed to gap_fit")
    n_sparse_base: int
    n_sparse_new: int
    label: str = Field("", description="Name of this fit (e.g. base, extended f=0.01)")


@job(name="general_database", data=["configurations"])
def general_database(
    settings: GeneralDatabaseSettings, reference: Any, n_workers: int | None = None
) -> LabelledDatasetDocument:
    """Generate and label the general-purpose base database with the reference.

    Parameters
    ----------
    settings
        What to generate (MD protocol, strained cells).
    reference
        Drives the MD and labels every configuration.
    n_workers
        Processes for labelling.

    Returns
    -------
    LabelledDatasetDocument
        config_types ``vacancy``, ``liq``, ``amorph``, ``dia`` and ``isolated_atom``.
    """
    start = time.perf_counter()
    reference = reference_from_spec(reference)
    unlabelled = general_configurations(settings, reference)
    labelled = evaluate_configurations(reference, unlabelled, n_workers)
    return LabelledDatasetDocument(
        reference=reference.provenance(),
        configurations=to_configurations(labelled),
        summary=labelled_summary(labelled),
        wall_time_s=time.perf_counter() - start,
        input_checksum=checksum_of(settings.model_dump(mode="json")),
        versions=software_versions(),
    )


@job(name="extend_database", data=["configurations"])
def extend_database(
    base: LabelledDatasetDocument,
    new: LabelledDatasetDocument | None,
    n_sparse_base: int,
    n_sparse_new: int,
    base_split: dict[str, int] | None = None,
    new_split: dict[str, int] | None = None,
) -> ExtendedDatasetDocument:
    """Merge the base and new databases and compute ``config_type_n_sparse``.

    Parameters
    ----------
    base
        The existing database (config_types kept).
    new
        The new configurations (``None``: the base alone, for the base-only fit).
    n_sparse_base, n_sparse_new
        M_base and M_new.
    base_split, new_split
        Explicit splits, rescaled to the totals (default: in proportion to atoms).

    Returns
    -------
    ExtendedDatasetDocument
        The merged configurations and the split.
    """
    base_atoms = to_atoms_list(base.configurations)
    new_atoms = to_atoms_list(new.configurations) if new is not None else []
    merged = merge_databases(base_atoms, new_atoms)
    split = extension_sparse_split(
        base_atoms,
        new_atoms,
        n_sparse_base,
        n_sparse_new if new_atoms else 0,
        base_split,
        new_split,
    )
    logger.info("extended database: %d configurations, split %s", len(merged), split)
    return ExtendedDatasetDocument(
        reference=new.reference if new is not None else base.reference,
        configurations=to_configurations(merged),
        summary=labelled_summary(merged),
        wall_time_s=0.0,
        input_checksum=checksum_of([base.input_checksum, new.input_checksum if new else None]),
        sparse_split=split,
        n_sparse_base=sum(v for k, v in split.items() if k in atoms_per_config_type(base_atoms)),
        n_sparse_new=sum(v for k, v in split.items() if k in atoms_per_config_type(new_atoms)),
        base_config_types=sorted(atoms_per_config_type(base_atoms)),
        new_config_types=sorted(atoms_per_config_type(new_atoms)),
        base_summary=base.summary,
        new_summary=new.summary if new is not None else {},
        versions=software_versions(),
    )


def split_hyperparameters(
    hyperparameters: GapHyperparameters,
    split: dict[str, int],
    randomised_sigma: tuple[float, float, float, float] = RANDOMISED_SIGMA,
) -> GapHyperparameters:
    """Return hyperparameters with the sparse split and the new randomised cells' sigma.

    Parameters
    ----------
    hyperparameters
        Descriptors and base sigmas (``config_type_sigma`` for the base config_types).
    split
        ``config_type_n_sparse``.
    randomised_sigma
        Fixed sigma of the new randomised cells (energy eV/atom, force eV/Å, virial, Hessian).

    Returns
    -------
    GapHyperparameters
        A copy; the input is not changed.
    """
    sigma = dict(hyperparameters.config_type_sigma)
    sigma.setdefault(RANDOMISED, tuple(randomised_sigma))
    # validate again so the split's config_type names are checked like user input
    return GapHyperparameters.model_validate(
        {
            **hyperparameters.model_dump(),
            "config_type_n_sparse": dict(split),
            "config_type_sigma": sigma,
        }
    )


@job(name="fit_extended_gap")
def fit_extended_gap(
    dataset: ExtendedDatasetDocument,
    hyperparameters: GapHyperparameters,
    f: float | None = 0.01,
    f_min: float = 0.01,
    randomised_sigma: tuple[float, float, float, float] = RANDOMISED_SIGMA,
    label: str = "",
    n_threads: int | None = None,
) -> ExtendedFitDocument:
    """Fit a GAP to an extended database with its per-config_type sparse split.

    Eq. 8 sigmas go on the new ``single_displacement`` configurations only; base
    config_types keep ``config_type_sigma``; new randomised cells get ``randomised_sigma``.

    Parameters
    ----------
    dataset
        Output of :func:`extend_database`.
    hyperparameters
        Descriptors and base sigmas (``soap.n_sparse`` is replaced by the split).
    f, f_min
        Eq. 8 factor and force floor (eV/Å).
    randomised_sigma
        Fixed sigma of the new randomised cells.
    label
        Name of the fit, stored in the document.
    n_threads
        Threads for gap_fit.

    Returns
    -------
    ExtendedFitDocument
        The potential, its training errors per config_type and the split.
    """
    hyper = split_hyperparameters(hyperparameters, dataset.sparse_split, randomised_sigma)
    atomwise = (SINGLE_DISPLACEMENT,) if SINGLE_DISPLACEMENT in dataset.new_config_types else ()
    document = fit_gap_in_directory(
        to_atoms_list(dataset.configurations),
        hyper,
        Path.cwd(),
        f=f if atomwise else None,
        f_min=f_min,
        atomwise_config_types=atomwise,
        n_threads=n_threads,
    )
    return ExtendedFitDocument(
        **document.model_dump(exclude={"reference"}),
        reference=dataset.reference,
        sparse_split=dataset.sparse_split,
        n_sparse_base=dataset.n_sparse_base,
        n_sparse_new=dataset.n_sparse_new,
        label=label,
    )
