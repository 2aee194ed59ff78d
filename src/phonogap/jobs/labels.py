"""Workflow layer: labelling jobs, one job for cheap references or one per configuration.

Cheap references (``sw``, a GAP) label the whole database in one job with a process pool
(:func:`phonogap.jobs.database.label_database`). Expensive references get one job per
configuration so that FireWorks or jobflow-remote spread them over a cluster, and a collect
job that builds the same :class:`~phonogap.schemas.dataset.LabelledDatasetDocument`, so the
fit does not know which path made its data.

Calculator backends (``qe``) label each configuration restart-safe in its own work directory
(:mod:`phonogap.reference.restart_safe`). Backends that run as atomate2 jobs (``vasp``,
``cp2k``) get, per configuration, the static job of their
:meth:`~phonogap.reference.base.Reference.static_maker` and a job that reads the labels from
its task document (:meth:`~phonogap.reference.base.Reference.labels_from_task`); their reruns
are handled by the job manager.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from jobflow import Flow, Job, Response, job

from phonogap.database.extxyz import labelled_summary
from phonogap.jobs.database import label_database
from phonogap.progress import report_progress, report_replacement
from phonogap.reference.cp2k import cp2k_task_labels
from phonogap.reference.dft_common import structure_of
from phonogap.reference.evaluate import CONFIGURATIONS_LABELLED, check_finite_labels
from phonogap.reference.restart_safe import label_in_work_directory
from phonogap.reference.vasp import vasp_task_labels
from phonogap.schemas.configuration import Configuration, to_atoms_list
from phonogap.schemas.dataset import LabelledDatasetDocument
from phonogap.schemas.keys import ISOLATED_ATOM
from phonogap.schemas.provenance import ReferenceProvenance, checksum_of, software_versions

if TYPE_CHECKING:
    from phonogap.reference.base import Reference
    from phonogap.schemas.dataset import DatabaseDocument

logger = logging.getLogger(__name__)


def labelling_job(database: Any, reference: Reference, n_workers: int | None = None) -> Job:
    """Choose the labelling job for a reference (the hook the Flows call).

    Parameters
    ----------
    database
        The :class:`DatabaseDocument` (or an output reference to it).
    reference
        The reference backend.
    n_workers
        Processes for cheap references.

    Returns
    -------
    Job
        ``label_database`` (one job, a process pool) for cheap references,
        ``label_database_per_configuration`` (fan-out) for expensive ones
        (:meth:`~phonogap.reference.base.Reference.is_expensive`).
    """
    if reference.is_expensive():
        return label_database_per_configuration(database, reference)
    return label_database(database, reference, n_workers=n_workers)


def atomate2_label_flow(reference: Reference, configuration: Configuration, name: str) -> Flow:
    """Build the jobs that label one configuration with a backend run by atomate2.

    Parameters
    ----------
    reference
        A backend with :attr:`~phonogap.reference.base.Reference.runs_as_atomate2_jobs`.
    configuration
        The unlabelled configuration.
    name
        Name of the static job (the conversion job is ``"<name> labels"``).

    Returns
    -------
    Flow
        The atomate2 static job, then :func:`labels_from_task`; output: the labelled
        :class:`Configuration`.
    """
    atoms = configuration.to_atoms()
    static = reference.static_maker(atoms, name=name).make(structure_of(atoms))
    convert = labels_from_task(static.output, configuration, reference)
    convert.name = f"{name} labels"
    return Flow([static, convert], output=convert.output, name=name)


@job(name="labels_from_task", output_schema=Configuration)
def labels_from_task(
    task: Any, configuration: Configuration, reference: Reference
) -> Configuration:
    """Read a configuration's labels from the task document of its atomate2 static job.

    Parameters
    ----------
    task
        The static job's task document.
    configuration
        The configuration that was sent.
    reference
        The backend that ran it (its :meth:`~phonogap.reference.base.Reference.labels_from_task`).

    Returns
    -------
    Configuration
        The labelled configuration.
    """
    labelled = reference.labels_from_task(task, configuration)
    report_progress("item_done", what=CONFIGURATIONS_LABELLED)
    return labelled


@job(name="labels_from_vasp_task", output_schema=Configuration)
def labels_from_vasp_task(task: Any, configuration: Configuration) -> Configuration:
    """Convert an atomate2 VASP task document into a labelled configuration (as a job).

    Parameters
    ----------
    task
        The static job's ``TaskDoc``.
    configuration
        The configuration that was sent.

    Returns
    -------
    Configuration
        See :func:`~phonogap.reference.vasp.vasp_task_labels`.
    """
    return vasp_task_labels(task, configuration)


@job(name="labels_from_cp2k_task", output_schema=Configuration)
def labels_from_cp2k_task(task: Any, configuration: Configuration) -> Configuration:
    """Convert an atomate2 CP2K task document into a labelled configuration (as a job).

    Parameters
    ----------
    task
        The static job's task document.
    configuration
        The configuration that was sent.

    Returns
    -------
    Configuration
        See :func:`~phonogap.reference.cp2k.cp2k_task_labels`.
    """
    return cp2k_task_labels(task, configuration)


@job(name="label_configuration", output_schema=Configuration)
def label_configuration(configuration: Configuration, reference: Reference) -> Configuration:
    """Label one configuration with a calculator backend (restart-safe).

    Parameters
    ----------
    configuration
        The unlabelled configuration.
    reference
        The reference backend.

    Returns
    -------
    Configuration
        The labelled configuration.
    """
    atoms = label_in_work_directory(configuration.to_atoms(), reference)
    report_progress("item_done", what=CONFIGURATIONS_LABELLED)
    return Configuration.from_atoms(atoms)


@job(name="label_database_per_configuration")
def label_database_per_configuration(database: DatabaseDocument, reference: Reference) -> Response:
    """Replace itself by one labelling job per configuration and a collect job.

    Parameters
    ----------
    database
        Unlabelled configurations.
    reference
        An expensive reference backend.

    Returns
    -------
    Response
        ``replace``: a Flow whose output is the :class:`LabelledDatasetDocument` of
        :func:`collect_labels`.

    Notes
    -----
    No ``output_schema``: with jobflow 0.4 the schema of a job that replaces itself by a Flow is
    applied to the Flow's unresolved output reference and fails (``Expected output to be ...
    but got output type of OutputReference``).
    """
    reference.check_ready({s for c in database.configurations for s in c.symbols})
    parts: list[Job | Flow] = []
    outputs = []
    for index, configuration in enumerate(database.configurations):
        name = f"label {index} {configuration.config_type} {configuration.source}".strip()
        if reference.runs_as_atomate2_jobs:
            part = atomate2_label_flow(reference, configuration, name)
        else:
            part = label_configuration(configuration, reference)
            part.name = name
        parts.append(part)
        outputs.append(part.output)
    checksum = checksum_of([c.model_dump() for c in database.configurations])
    collect = collect_labels(outputs, reference.provenance(), checksum)
    logger.info("labelling %d configurations with %s, one job each", len(parts), reference.backend)
    replacement = Flow([*parts, collect], output=collect.output)
    report_replacement(replacement)
    report_progress("items_planned", total=len(parts), what=CONFIGURATIONS_LABELLED)
    return Response(replace=replacement)


@job(name="collect_labels", data=["configurations"], output_schema=LabelledDatasetDocument)
def collect_labels(
    configurations: list[Configuration],
    reference: ReferenceProvenance | dict[str, Any],
    input_checksum: str,
) -> LabelledDatasetDocument:
    """Gather per-configuration labels into the training set the fit reads.

    Parameters
    ----------
    configurations
        Labelled configurations, in database order.
    reference
        Provenance of the reference.
    input_checksum
        SHA-256 of the unlabelled configurations.

    Returns
    -------
    LabelledDatasetDocument
        Same document as the one-job path; ``summary`` also records the isolated-atom energies
        (eV, the ``e0`` gap_fit gets) under ``isolated_atom_energies_ev``.
    """
    configurations = [Configuration.model_validate(c) for c in configurations]
    reference = ReferenceProvenance.model_validate(reference)
    atoms_list = to_atoms_list(configurations)
    for index, atoms in enumerate(atoms_list):
        check_finite_labels(atoms, index, reference.backend)
    summary = labelled_summary(atoms_list)
    summary["isolated_atom_energies_ev"] = {
        c.symbols[0]: c.energy_ev for c in configurations if c.config_type == ISOLATED_ATOM
    }
    wall = sum(float(c.info.get("label_wall_time_s", 0.0)) for c in configurations)
    logger.info("collected %d labelled configurations: %s", len(configurations), summary)
    return LabelledDatasetDocument(
        reference=reference,
        configurations=configurations,
        summary=summary,
        wall_time_s=wall,
        input_checksum=input_checksum,
        versions=software_versions(),
    )
