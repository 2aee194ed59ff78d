"""Restart-safe labelling of one configuration in its own work directory.

Each configuration runs in ``<scratch_root>/<backend>/<hash of geometry and settings>/`` and
its labels are written to ``labels.json`` there only after the calculation succeeded (a
``.partial`` file and :func:`os.replace`). A rerun of the workflow finds the directory again
and reuses finished labels; a killed or failed calculation leaves no ``labels.json`` and is
simply run again. The jobs that fan labelling out live in :mod:`phonogap.jobs.labels`.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phonogap.reference.dft_common import configuration_key
from phonogap.reference.evaluate import check_finite_labels, label_atoms
from phonogap.schemas.configuration import Configuration

if TYPE_CHECKING:
    from ase import Atoms

    from phonogap.reference.base import Reference

logger = logging.getLogger(__name__)

LABELS_FILE = "labels.json"
"""Written in a configuration's work directory once its labels are complete."""


def label_settings(reference: Reference) -> dict[str, Any]:
    """Return the settings that change the labels (not where or how fast they are computed).

    Parameters
    ----------
    reference
        The reference backend.

    Returns
    -------
    dict
        ``model_dump`` without the backend's :attr:`~Reference.run_options` (``scratch_dir``,
        ``mpi_processes``, ...).
    """
    settings = reference.model_dump(mode="json", exclude=set(reference.run_options))
    return {"backend": reference.backend, **settings}


def work_directory(atoms: Atoms, reference: Reference) -> Path:
    """Return the restart-safe work directory of one configuration.

    Parameters
    ----------
    atoms
        The configuration.
    reference
        The reference; its :meth:`~Reference.scratch_root` is the root, its physics
        settings (:func:`label_settings`) enter the hash, its ``run_options`` do not.

    Returns
    -------
    Path
        ``<scratch_root>/<backend>/<key>``.
    """
    root = reference.scratch_root()
    return root / reference.backend / configuration_key(atoms, label_settings(reference))


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
        and what the backend reports about the run (:meth:`~Reference.describe_run`: k-points,
        code version, magnetisation).
    """
    directory = work_directory(atoms, reference)
    done = directory / LABELS_FILE
    if done.is_file():
        logger.info("reusing finished labels in %s", directory)
        return Configuration.model_validate_json(done.read_text()).to_atoms()
    directory.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    labelled = label_atoms(atoms, reference.calculator_in(directory))
    check_finite_labels(labelled, 0, f"{reference.backend} in {directory}")
    labelled.info["label_dir"] = str(directory)
    labelled.info["label_wall_time_s"] = round(time.perf_counter() - start, 3)
    labelled.info.update(reference.describe_run(directory))
    partial = directory / f"{LABELS_FILE}.partial"
    partial.write_text(Configuration.from_atoms(labelled).model_dump_json())
    os.replace(partial, done)
    return labelled
