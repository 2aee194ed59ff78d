"""Workflow layer: jobs that import labelled datasets when the Flow runs.

The import runs when the job runs (not when the Flow is built), so a Flow built on one machine
can run where the files live. The specs and the import itself are science
(:mod:`phonogap.importers.training_data`).
"""

from __future__ import annotations

import logging

from jobflow import job

from phonogap.importers.registry import import_dataset
from phonogap.importers.training_data import DatasetSpec, EquilibriumSettings, import_training_data
from phonogap.schemas.dataset import ImportedDatabaseDocument, LabelledDatasetDocument

logger = logging.getLogger(__name__)


@job(name="import_datasets", data=["configurations"], output_schema=ImportedDatabaseDocument)
def import_datasets(
    specs: list[DatasetSpec], equilibrium: EquilibriumSettings | None = None
) -> ImportedDatabaseDocument:
    """Import labelled datasets (a job: see :func:`import_training_data`).

    Parameters
    ----------
    specs
        The datasets (absolute paths).
    equilibrium
        Optional zero-stress constraints.

    Returns
    -------
    ImportedDatabaseDocument
        The training set and reference phonon setups.
    """
    return import_training_data(specs, equilibrium)


@job(name="import_base_database", data=["configurations"], output_schema=LabelledDatasetDocument)
def import_base_database(spec: DatasetSpec) -> LabelledDatasetDocument:
    """Import one labelled dataset as the base database of an extension.

    The import runs when the job runs (not when the Flow is built), so a Flow built on one
    machine can run where the file lives.

    Parameters
    ----------
    spec
        The dataset (an absolute path; see :meth:`DatasetSpec.resolved`). ``name`` becomes the
        importer's ``source`` option; ``mp_id`` and ``benchmark`` are not used here.

    Returns
    -------
    LabelledDatasetDocument
        The configurations with their config_types; ``reference`` is
        ``{"backend": "imported", ...}`` with the files' checksums.
    """
    options = dict(spec.options)
    if spec.name:
        options.setdefault("source", spec.name)
    dataset = import_dataset(spec.importer, spec.path, **options)
    logger.info("base database: %d configurations from %s", len(dataset.configurations), spec.path)
    return dataset.to_document()
