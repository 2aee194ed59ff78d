"""Import labelled DFT datasets as one training set with the reference phonons they carry.

:class:`DatasetSpec` is one ``datasets:`` entry of a workflow file; the jobs that import them
when a Flow runs live in :mod:`phonogap.jobs.importers`.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from phonogap.database.equilibrium import equilibrium_configurations
from phonogap.database.extxyz import labelled_summary
from phonogap.importers.registry import available_importers, files_checksum, import_dataset
from phonogap.schemas.configuration import to_configurations
from phonogap.schemas.dataset import ImportedDatabaseDocument, PhononSetup
from phonogap.schemas.keys import SOURCE_KEY
from phonogap.schemas.provenance import software_versions

logger = logging.getLogger(__name__)


class DatasetSpec(BaseModel):
    """One labelled dataset to import (a ``datasets:`` entry of a workflow file)."""

    model_config = ConfigDict(extra="forbid")

    importer: str = Field(description=f"Importer name: one of {available_importers()}")
    path: str = Field(description="File or directory the importer reads")
    options: dict[str, Any] = Field(
        default_factory=dict, description="Importer options (e.g. source, config_type)"
    )
    name: str | None = Field(
        None, description="Structure name (the importer's 'source'); default from the file"
    )
    mp_id: str | None = Field(None, description="Materials Project id, for result tables")
    benchmark: bool = Field(
        True, description="Use its phonons (single-displacement datasets) as a reference"
    )

    def resolved(self, base_dir: Path) -> DatasetSpec:
        """Return a copy whose relative ``path`` is resolved against ``base_dir``.

        Parameters
        ----------
        base_dir
            Directory of the workflow file.

        Returns
        -------
        DatasetSpec
            With an absolute path.
        """
        path = Path(self.path).expanduser()
        resolved = path if path.is_absolute() else base_dir / path
        return self.model_copy(update={"path": str(resolved)})


class EquilibriumSettings(BaseModel):
    """Zero-stress, zero-force constraints at the reference cells (forces-only datasets)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(False, description="Add the constraints")
    stress_tolerance_gpa: float = Field(
        0.1, gt=0, description="Expected |stress| of the reference cells (CASTEP default)"
    )
    force_tolerance_ev_per_ang: float = Field(
        0.01, gt=0, description="Expected |force| on the atoms of the reference cells"
    )


def import_training_data(
    specs: list[DatasetSpec], equilibrium: EquilibriumSettings | None = None
) -> ImportedDatabaseDocument:
    """Import datasets into one training set and collect their reference phonon setups.

    Parameters
    ----------
    specs
        The datasets (absolute paths).
    equilibrium
        Optional zero-stress constraints at the unit cells of the phonon datasets.

    Returns
    -------
    ImportedDatabaseDocument
        All configurations, the phonon setups of the benchmark datasets and their mp ids.
    """
    start = time.perf_counter()
    atoms_list, setups, mp_ids, records = [], [], {}, []
    for spec in specs:
        options = dict(spec.options)
        if spec.name:
            options.setdefault("source", spec.name)
        dataset = import_dataset(spec.importer, spec.path, **options)
        atoms_list.extend(dataset.configurations)
        records.append(dataset.provenance)
        name = str(dataset.configurations[0].info[SOURCE_KEY])
        if spec.mp_id:
            mp_ids[name] = spec.mp_id
        if spec.benchmark and dataset.phonon_setup is not None:
            setups.append(PhononSetup(name=name, **dataset.phonon_setup))
        logger.info("imported %d configurations of %s", len(dataset.configurations), name)
    if equilibrium is not None and equilibrium.enabled:
        atoms_list.extend(equilibrium_configurations((s.name, s.unitcell) for s in setups))
    return ImportedDatabaseDocument(
        reference={"backend": "imported", "datasets": records},
        configurations=to_configurations(atoms_list),
        summary=labelled_summary(atoms_list),
        wall_time_s=time.perf_counter() - start,
        input_checksum=files_checksum(records),
        versions=software_versions(),
        phonon_setups=setups,
        mp_ids=mp_ids,
        equilibrium=(equilibrium or EquilibriumSettings()).model_dump(),
    )
