"""Workflow layer: the GAP fit jobs (each fits in its own job directory).

``fit_gap`` fits a labelled dataset with Eq. 8 sigmas on the single displacements;
``fit_extended_gap`` fits an extended database with its per-config_type sparse split. Both call
:func:`phonogap.fitting.fit_in_directory.fit_gap_in_directory` in the job's directory, where
``gap.xml`` and its sparseX files stay; their text also goes to the data store
(``potential_files``), so :func:`phonogap.store.potentials.fetch_potential` can write them on
another machine by the potential's checksum.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from jobflow import job

from phonogap.database.extend import RANDOMISED_SIGMA
from phonogap.fitting.fit_in_directory import fit_gap_in_directory
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.launcher import GapFitLauncher
from phonogap.fitting.sparse_split import split_hyperparameters
from phonogap.schemas.configuration import to_atoms_list
from phonogap.schemas.extension import ExtendedDatasetDocument, ExtendedFitDocument
from phonogap.schemas.fit import GapFitDocument
from phonogap.schemas.keys import SINGLE_DISPLACEMENT

if TYPE_CHECKING:
    from phonogap.schemas.dataset import LabelledDatasetDocument


FIT_DATA = ["potential_files"]
"""Fields of the fit documents kept in the data store: the potential's files, which can
exceed MongoDB's 16 MB document limit."""


@job(name="fit_gap", data=FIT_DATA, output_schema=GapFitDocument)
def fit_gap(
    dataset: LabelledDatasetDocument,
    hyperparameters: GapHyperparameters | None = None,
    f: float | None = 0.001,
    f_min: float = 0.01,
    atomwise_config_types: tuple[str, ...] = (SINGLE_DISPLACEMENT,),
    n_threads: int | None = None,
    exclude_config_types: tuple[str, ...] = (),
    launcher: GapFitLauncher | None = None,
) -> GapFitDocument:
    """Fit a GAP in the job's directory (jobflow runs each job in its own folder).

    Parameters
    ----------
    dataset
        The labelled training set.
    hyperparameters
        GAP settings (default: GAP-18 descriptors, :meth:`GapHyperparameters.gap18`).
    f
        Eq. 8 factor; ``None`` for fixed sigmas only.
    f_min
        Eq. 8 force floor (eV/Å).
    atomwise_config_types
        config_types that get the atom-wise sigmas.
    n_threads
        Threads for gap_fit.
    exclude_config_types
        config_types left out of the fit (scans compare with and without them).
    launcher
        How gap_fit starts (``fit.launcher``; None: ``$PHONOGAP_GAP_FIT_COMMAND`` where the
        job runs, else gap_fit on PATH).

    Returns
    -------
    GapFitDocument
        The fitted potential's document.
    """
    excluded = set(exclude_config_types)
    configurations = [c for c in dataset.configurations if c.config_type not in excluded]
    document = fit_gap_in_directory(
        to_atoms_list(configurations),
        hyperparameters or GapHyperparameters.gap18(),
        Path.cwd(),
        f=f,
        f_min=f_min,
        atomwise_config_types=atomwise_config_types,
        n_threads=n_threads,
        launcher=launcher,
    )
    return document.model_copy(update={"reference": dataset.reference})


@job(name="fit_extended_gap", data=FIT_DATA, output_schema=ExtendedFitDocument)
def fit_extended_gap(
    dataset: ExtendedDatasetDocument,
    hyperparameters: GapHyperparameters,
    f: float | None = 0.01,
    f_min: float = 0.01,
    randomised_sigma: tuple[float, float, float, float] = RANDOMISED_SIGMA,
    label: str = "",
    n_threads: int | None = None,
    launcher: GapFitLauncher | None = None,
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
    launcher
        How gap_fit starts (see :func:`fit_gap`).

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
        launcher=launcher,
    )
    return ExtendedFitDocument(
        **document.model_dump(exclude={"reference"}),
        reference=dataset.reference,
        sparse_split=dataset.sparse_split,
        n_sparse_base=dataset.n_sparse_base,
        n_sparse_new=dataset.n_sparse_new,
        label=label,
    )
