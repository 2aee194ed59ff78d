"""Label expensive (DFT) references one job per configuration, restart-safe.

Cheap references (``sw``, a GAP) label the whole database in one job with a process pool
(:func:`phonogap.database.jobs.label_database`). DFT references get one job per configuration
so that FireWorks or jobflow-remote spread them over a cluster, and a collect job that builds
the same :class:`~phonogap.schemas.dataset.LabelledDatasetDocument`, so the fit does not know
which path made its data.

Restart safety (calculator backends such as ``qe``): each configuration runs in
``<scratch_dir>/<backend>/<hash of geometry and settings>/`` and its labels are written to
``labels.json`` there only after the calculation succeeded. A rerun of the workflow finds the
directory again and reuses finished labels; a killed or failed calculation leaves no
``labels.json`` and is simply run again. atomate2 backends (``vasp``, ``cp2k``) return their own
Flows (static job, then conversion), whose reruns are handled by the job manager.
"""

from __future__ import annotations

import inspect
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobflow import Flow, Job, Response, job

from phonogap.database.extxyz import labelled_summary
from phonogap.database.keys import ISOLATED_ATOM
from phonogap.reference.dft_common import configuration_key, default_scratch_dir
from phonogap.reference.evaluate import check_finite_labels, label_atoms
from phonogap.schemas.configuration import Configuration, to_atoms_list
from phonogap.schemas.dataset import LabelledDatasetDocument
from phonogap.schemas.provenance import checksum_of, software_versions

if TYPE_CHECKING:
    from ase import Atoms

    from phonogap.reference.base import Reference
    from phonogap.schemas.dataset import DatabaseDocument

logger = logging.getLogger(__name__)

LABELS_FILE = "labels.json"
"""Written in a configuration's work directory once its labels are complete."""


def is_expensive(reference: Reference) -> bool:
    """Tell whether a reference is labelled one job per configuration.

    Parameters
    ----------
    reference
        A reference backend.

    Returns
    -------
    bool
        True for DFT backends (``cheap`` False) and ASE calculators marked ``expensive``.
    """
    return not reference.cheap or bool(getattr(reference, "expensive", False))


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
        ``label_database_per_configuration`` (fan-out) for expensive ones.
    """
    if is_expensive(reference):
        return label_database_per_configuration(database, reference)
    from phonogap.database.jobs import label_database

    return label_database(database, reference, n_workers=n_workers)


def work_directory(atoms: Atoms, reference: Reference) -> Path:
    """Return the restart-safe work directory of one configuration.

    Parameters
    ----------
    atoms
        The configuration.
    reference
        The reference; its ``scratch_dir`` (if any) is the root, its physics settings
        (:func:`label_settings`) enter the hash, its ``run_options`` (MPI, paths, SCF
        iteration limits) do not.

    Returns
    -------
    Path
        ``<scratch_dir>/<backend>/<key>``.
    """
    root = Path(getattr(reference, "scratch_dir", None) or default_scratch_dir())
    return root / reference.backend / configuration_key(atoms, label_settings(reference))


def label_settings(reference: Reference) -> dict[str, Any]:
    """Return the settings that change the labels (not where or how fast they are computed).

    Parameters
    ----------
    reference
        The reference backend.

    Returns
    -------
    dict
        ``model_dump`` without run options such as ``scratch_dir`` and ``mpi_processes``.
    """
    run_options = getattr(reference, "run_options", set())
    settings = reference.model_dump(mode="json", exclude=set(run_options))
    return {"backend": reference.backend, **settings}


def label_in_work_directory(atoms: Atoms, reference: Reference) -> Atoms:
    """Label one configuration in its work directory, or reuse labels finished earlier.

    Parameters
    ----------
    atoms
        The configuration.
    reference
        A calculator backend.

    Returns
    -------
    Atoms
        The labelled configuration; ``info`` gains ``label_dir`` and ``label_wall_time_s``
        and what the backend reports about the run (k-points, code version, magnetisation).
    """
    directory = work_directory(atoms, reference)
    done = directory / LABELS_FILE
    if done.is_file():
        logger.info("reusing finished labels in %s", directory)
        return Configuration.model_validate_json(done.read_text()).to_atoms()
    directory.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if "directory" in inspect.signature(reference.calculator).parameters:
        calculator = reference.calculator(directory=directory)
    else:  # calculators without a directory option run in the job directory
        calculator = reference.calculator()
    labelled = label_atoms(atoms, calculator)
    check_finite_labels(labelled, 0, f"{reference.backend} in {directory}")
    labelled.info["label_dir"] = str(directory)
    labelled.info["label_wall_time_s"] = round(time.perf_counter() - start, 3)
    describe = getattr(reference, "describe_run", None)
    if describe is not None:
        labelled.info.update(describe(directory))
    partial = directory / f"{LABELS_FILE}.partial"
    partial.write_text(Configuration.from_atoms(labelled).model_dump_json())
    os.replace(partial, done)
    return labelled


@job(name="label_configuration")
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
        ``replace``: a Flow whose output is the :class:`LabelledDatasetDocument`.
    """
    if hasattr(reference, "check_ready"):
        symbols = {s for c in database.configurations for s in c.symbols}
        reference.check_ready(symbols)
    parts: list[Job | Flow] = []
    outputs = []
    for index, configuration in enumerate(database.configurations):
        name = f"label {index} {configuration.config_type} {configuration.source}".strip()
        if hasattr(reference, "label_flow"):
            part = reference.label_flow(configuration, name)
        else:
            part = label_configuration(configuration, reference)
            part.name = name
        parts.append(part)
        outputs.append(part.output)
    checksum = checksum_of([c.model_dump() for c in database.configurations])
    collect = collect_labels(outputs, reference.provenance(), checksum)
    logger.info("labelling %d configurations with %s, one job each", len(parts), reference.backend)
    return Response(replace=Flow([*parts, collect], output=collect.output))


@job(name="collect_labels", data=["configurations"])
def collect_labels(
    configurations: list[Configuration], reference: dict[str, Any], input_checksum: str
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
    atoms_list = to_atoms_list(configurations)
    for index, atoms in enumerate(atoms_list):
        check_finite_labels(atoms, index, reference.get("backend", "reference"))
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
