"""Import labelled DFT datasets as one training set with the reference phonons they carry.

:class:`DatasetSpec` is one ``datasets:`` entry of a workflow file; the jobs that import them
when a Flow runs live in :mod:`phonogap.jobs.importers`.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from phonogap.database.equilibrium import equilibrium_configurations
from phonogap.database.extxyz import labelled_summary
from phonogap.importers.bundled import available_bundled, expand_bundled
from phonogap.importers.registry import available_importers, files_checksum, import_dataset
from phonogap.schemas.configuration import to_configurations
from phonogap.schemas.dataset import ImportedDatabaseDocument, PhononSetup
from phonogap.schemas.keys import SOURCE_KEY
from phonogap.schemas.provenance import software_versions

logger = logging.getLogger(__name__)


class DatasetSpec(BaseModel):
    """One labelled dataset to import (a ``datasets:`` entry of a workflow file).

    Either a file (``importer`` and ``path``) or a dataset shipped with phonogap by name
    (``bundled``, see :mod:`phonogap.importers.bundled`); a bundled set of one file per
    structure takes ``structures`` and expands to one spec per file (:meth:`expanded`).
    """

    model_config = ConfigDict(extra="forbid")

    importer: str | None = Field(
        None,
        description=f"Importer name: one of {available_importers()} (optional with 'bundled')",
    )
    path: str | None = Field(None, description="File or directory the importer reads")
    bundled: str | None = Field(
        None,
        description=f"Instead of 'path': a dataset shipped with phonogap, one of "
        f"{available_bundled()}",
    )
    structures: list[str] | Literal["all", "stable"] | None = Field(
        None,
        description="With 'bundled' sets of one file per structure: 'all', 'stable' or names",
    )
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

    @model_validator(mode="after")
    def _path_or_bundled(self) -> DatasetSpec:
        if (self.path is None) == (self.bundled is None):
            raise ValueError(
                "a dataset needs exactly one of 'path' (with 'importer') or 'bundled', e.g. "
                "{importer: phonopy, path: 22_phonopy.yaml} or {bundled: george2020_castep, "
                "structures: stable}"
            )
        if self.bundled is None and (self.importer is None or self.structures is not None):
            raise ValueError(
                f"dataset {self.path!r}: a 'path' needs an 'importer' (one of "
                f"{available_importers()}); 'structures' only applies to 'bundled' datasets"
            )
        if self.bundled is not None:
            self.expanded()  # checks the name, importer and structures
        return self

    def expanded(self, base_dir: Path | None = None) -> list[DatasetSpec]:
        """Return one spec with a path per file (see :func:`expand_bundled`).

        Parameters
        ----------
        base_dir
            Directory a relative ``path`` is resolved against (the workflow file's); ``None``
            leaves it as given. Bundled datasets always get absolute paths.

        Returns
        -------
        list of DatasetSpec
            ``[self.resolved(base_dir)]`` for a path; for ``bundled``, its files.
        """
        if self.bundled is None:
            return [self if base_dir is None else self.resolved(base_dir)]
        entries = expand_bundled(
            self.bundled,
            importer=self.importer,
            structures=self.structures,
            options=self.options,
            source=self.name,
            mp_id=self.mp_id,
        )
        return [DatasetSpec(**entry, benchmark=self.benchmark) for entry in entries]

    def resolved(self, base_dir: Path) -> DatasetSpec:
        """Return a copy whose relative ``path`` is resolved against ``base_dir``.

        Parameters
        ----------
        base_dir
            Directory of the workflow file.

        Returns
        -------
        DatasetSpec
            With an absolute path; a ``bundled`` dataset must name one file.
        """
        if self.bundled is not None:
            specs = self.expanded()
            if len(specs) != 1:
                raise ValueError(
                    f"bundled dataset {self.bundled!r} with structures {self.structures!r} "
                    f"names {len(specs)} files where one dataset is expected; select one "
                    "structure, e.g. structures: [mp-149]"
                )
            return specs[0]
        path = Path(self.path or "").expanduser()
        # absolute: the import job may run in another directory (job folders, a worker)
        resolved = path if path.is_absolute() else (Path(base_dir) / path).resolve()
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
        The datasets (absolute paths; bundled datasets are expanded here).
    equilibrium
        Optional zero-stress constraints at the unit cells of the phonon datasets.

    Returns
    -------
    ImportedDatabaseDocument
        All configurations, the phonon setups of the benchmark datasets and their mp ids.
    """
    start = time.perf_counter()
    atoms_list, setups, mp_ids, records = [], [], {}, []
    for spec in [path_spec for given in specs for path_spec in given.expanded()]:
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
