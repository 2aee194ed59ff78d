"""Workflow layer: jobs that generate, label, and merge training databases.

``build_database`` generates the unlabelled configurations of the relaxed structures;
``label_database`` labels them with a cheap reference in one job (expensive references fan
out in :mod:`phonogap.jobs.labels`); ``general_database`` generates and labels the
general-purpose base database; ``extend_database`` merges a base and a new database with the
sparse split the extended fit uses.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from jobflow import job

from phonogap.database.extend import atoms_per_config_type, extension_sparse_split, merge_databases
from phonogap.database.extxyz import labelled_summary
from phonogap.database.general import GeneralDatabaseSettings, general_configurations
from phonogap.database.generate import database_configurations
from phonogap.database.settings import DatabaseSettings
from phonogap.reference.evaluate import evaluate_configurations
from phonogap.reference.registry import reference_from_spec
from phonogap.schemas.configuration import to_atoms_list, to_configurations
from phonogap.schemas.dataset import DatabaseDocument, LabelledDatasetDocument, PhononSetup
from phonogap.schemas.extension import ExtendedDatasetDocument
from phonogap.schemas.provenance import checksum_of, software_versions

if TYPE_CHECKING:
    from phonogap.reference.base import Reference
    from phonogap.schemas.structures import RelaxationDocument

logger = logging.getLogger(__name__)


@job(name="build_database", data=["configurations"], output_schema=DatabaseDocument)
def build_database(
    relaxation: RelaxationDocument, settings: DatabaseSettings | None = None
) -> DatabaseDocument:
    """Generate single-displacement and/or randomised supercells of the relaxed structures.

    Parameters
    ----------
    relaxation
        Output of the reference relaxation.
    settings
        Database settings (strategy, supercell size, randomisation).

    Returns
    -------
    DatabaseDocument
        Unlabelled configurations and the phonon setup of every structure.
    """
    settings = settings or DatabaseSettings()
    configurations, setup_fields = database_configurations(relaxation.kept(), settings)
    setups = [PhononSetup(**fields) for fields in setup_fields]
    summary = labelled_summary(configurations)
    logger.info("database: %s", summary)
    return DatabaseDocument(
        strategy=settings.strategy,
        configurations=to_configurations(configurations),
        phonon_setups=setups,
        summary=summary,
        settings=settings.model_dump(),
        versions=software_versions(),
    )


@job(name="label_database", data=["configurations"], output_schema=LabelledDatasetDocument)
def label_database(
    database: DatabaseDocument, reference: Reference, n_workers: int | None = None
) -> LabelledDatasetDocument:
    """Label every configuration with the reference (one job, a process pool).

    Parameters
    ----------
    database
        Unlabelled configurations.
    reference
        The reference backend.
    n_workers
        Processes (default: all available cores).

    Returns
    -------
    LabelledDatasetDocument
        Configurations with reference energies, forces and virials.
    """
    start = time.perf_counter()
    reference.check_ready({s for c in database.configurations for s in c.symbols})
    labelled = evaluate_configurations(reference, to_atoms_list(database.configurations), n_workers)
    return LabelledDatasetDocument(
        reference=reference.provenance(),
        configurations=to_configurations(labelled),
        summary=labelled_summary(labelled),
        wall_time_s=time.perf_counter() - start,
        input_checksum=checksum_of([c.model_dump() for c in database.configurations]),
        versions=software_versions(),
    )


@job(name="general_database", data=["configurations"], output_schema=LabelledDatasetDocument)
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


@job(name="extend_database", data=["configurations"], output_schema=ExtendedDatasetDocument)
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
