"""Registry of importers of labelled DFT data and the dataset type they all return.

An importer reads files that already hold reference labels and returns an
:class:`ImportedDataset` of ASE ``Atoms`` labelled with the keys of
:mod:`phonogap.schemas.keys`, ready for ``write_training_xyz`` and gap_fit. Importers register
under a name so workflow files choose one by name. Shared conventions (each module documents
its own conversions):

* ``REF_energy``: total energy in eV, only where the data has an energy;
* ``REF_forces``: eV/Å, shape (n_atoms, 3), in the atom order of the file;
* ``REF_virial``: eV, 3x3, ``-stress * volume`` with ASE's stress sign (positive =
  tensile), only where the data has a stress or virial;
* ``config_type`` and ``source`` on every configuration, and ``import_origin`` naming the
  file (and entry) it came from, which error messages quote.

An :class:`ImportedDataset` validates itself on construction: every configuration needs
forces or an energy, and every label must be finite with the right shape.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from ase import Atoms

from phonogap.database.extxyz import labelled_summary
from phonogap.errors import PhonogapError
from phonogap.schemas.configuration import to_configurations
from phonogap.schemas.dataset import LabelledDatasetDocument
from phonogap.schemas.keys import CONFIG_TYPE_KEY, ENERGY_KEY, FORCES_KEY, SOURCE_KEY, VIRIAL_KEY
from phonogap.schemas.provenance import file_sha256, sha256_hex

logger = logging.getLogger(__name__)

ORIGIN_KEY = "import_origin"
"""``atoms.info`` key naming the file (and entry) a configuration was imported from."""

Importer = Callable[..., "ImportedDataset"]
ImporterType = TypeVar("ImporterType", bound=Importer)

_IMPORTERS: dict[str, Importer] = {}


class UnknownImporterError(PhonogapError, KeyError):
    """Raised when an importer name is not registered."""


class DatasetImportError(PhonogapError, ValueError):
    """Raised when labelled data is missing, malformed or lacks what a fit needs."""


@dataclass
class ImportedDataset:
    """Labelled configurations read from existing DFT data, with provenance.

    Attributes
    ----------
    configurations
        Labelled ``Atoms`` (keys of :mod:`phonogap.schemas.keys`), no calculators.
    provenance
        ``importer``, ``files`` (path, sha256), ``conventions`` (units, signs), ``options``,
        ``versions``.
    phonopy_yaml, phonon, phonon_setup
        phonopy/phono3py data only: the YAML that rebuilds the reference phonons, the loaded
        object (dataset and forces, no force constants) and, for single displacements, the
        ``PhononSetup`` fields plus ``primitive_matrix``.
    wall_time_s
        Time the import took (set by :func:`import_dataset`).
    """

    configurations: list[Atoms]
    provenance: dict[str, Any]
    phonopy_yaml: Path | None = None
    phonon: Any = None
    phonon_setup: dict[str, Any] | None = None
    wall_time_s: float = 0.0

    def __post_init__(self) -> None:
        if not self.configurations:
            files = [f["path"] for f in self.provenance.get("files", [])]
            raise DatasetImportError(f"no configurations in {files}; check path and options")
        for atoms in self.configurations:
            validate_labels(atoms)

    @property
    def config_types(self) -> list[str]:
        """Return the ``config_type`` of each configuration."""
        return [str(atoms.info[CONFIG_TYPE_KEY]) for atoms in self.configurations]

    @property
    def sources(self) -> list[str]:
        """Return the ``source`` of each configuration."""
        return [str(atoms.info[SOURCE_KEY]) for atoms in self.configurations]

    @property
    def summary(self) -> dict[str, Any]:
        """Counts per config_type and observables present (see ``labelled_summary``)."""
        return labelled_summary(self.configurations)

    @property
    def input_checksum(self) -> str:
        """SHA-256 over the sorted sha256 sums of the input files."""
        return files_checksum([self.provenance])

    def to_document(self) -> LabelledDatasetDocument:
        """Return the fit's dataset document; ``reference`` is ``{"backend": "imported", ...}``."""
        return LabelledDatasetDocument(
            reference={"backend": "imported", **self.provenance},
            configurations=to_configurations(self.configurations),
            summary=self.summary,
            wall_time_s=self.wall_time_s,
            input_checksum=self.input_checksum,
            versions=self.provenance.get("versions", {}),
        )


def files_checksum(provenances: list[dict[str, Any]]) -> str:
    """Return one SHA-256 over the sorted sha256 sums of every input file of some imports.

    Parameters
    ----------
    provenances
        Import provenance records, each with ``files`` (``path``, ``sha256``).

    Returns
    -------
    str
        Hex digest; independent of file order.
    """
    sums = sorted(f["sha256"] for record in provenances for f in record.get("files", []))
    return sha256_hex("\n".join(sums))


def register_importer(name: str) -> Callable[[ImporterType], ImporterType]:
    """Register an importer function under a name (decorator).

    The function is called as ``importer(path, **options)`` and returns an
    :class:`ImportedDataset`; ``name`` is what workflow files use, e.g. ``"vasprun"``.
    """

    def decorator(func: ImporterType) -> ImporterType:
        _IMPORTERS[name] = func
        return func

    return decorator


def available_importers() -> list[str]:
    """Return the sorted names of the registered importers.

    The built-in importers are registered by ``phonogap/importers/__init__.py``, which Python
    runs before this module, so they are always listed.
    """
    return sorted(_IMPORTERS)


def get_importer(name: str) -> Importer:
    """Return the importer ``name`` (``UnknownImporterError`` listing the known ones if none)."""
    known = available_importers()
    if name not in _IMPORTERS:
        raise UnknownImporterError(
            f"unknown importer {name!r}; available: {', '.join(known)}. "
            "Set the importer name to one of these."
        )
    return _IMPORTERS[name]


def import_dataset(name: str, path: Any, **options: Any) -> ImportedDataset:
    """Import labelled data with a registered importer.

    Parameters
    ----------
    name
        Importer name (see :func:`available_importers`).
    path
        What the importer reads (file, directory, archive or list; see each importer).
    **options
        Keyword options of that importer.

    Returns
    -------
    ImportedDataset
        Validated configurations with provenance and the import's wall time.

    Raises
    ------
    UnknownImporterError, DatasetImportError, FileNotFoundError
        Unknown importer; unknown option or data lacking what a fit needs; missing file.
        Each message names the file (and entry), the field and the fix.
    """
    importer = get_importer(name)
    parameters = inspect.signature(importer).parameters
    accepted = [p for p in parameters if p != "path"]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise DatasetImportError(
            f"importer {name!r} has no option(s) {unknown}; accepted options: {accepted}"
        )
    start = time.perf_counter()
    dataset = importer(path, **options)
    dataset.wall_time_s = time.perf_counter() - start
    n, dt = len(dataset.configurations), dataset.wall_time_s
    logger.info("imported %d configurations with %r in %.2f s", n, name, dt)
    return dataset


def validate_labels(atoms: Atoms) -> None:
    """Check a configuration's labels; raise ``DatasetImportError`` naming origin and field.

    Fails when it has neither forces nor an energy, or when a label is not finite or has the
    wrong shape.
    """
    origin = atoms.info.get(ORIGIN_KEY, "?")
    energy, forces = atoms.info.get(ENERGY_KEY), atoms.arrays.get(FORCES_KEY)
    virial = atoms.info.get(VIRIAL_KEY)
    if energy is None and forces is None:
        raise DatasetImportError(
            f"{origin}: has neither an energy nor forces; a fit needs at least one. "
            "Point the importer at the field that holds them or drop this entry."
        )
    checks = [("energy", energy, (), "eV"), ("forces", forces, (len(atoms), 3), "eV/Å")]
    for name, value, shape, unit in [*checks, ("virial", virial, (3, 3), "eV")]:
        if value is None:
            continue
        array = np.asarray(value, dtype=float)
        if array.shape != shape or not np.all(np.isfinite(array)):
            bad = "NaN/inf" if array.shape == shape else f"shape {array.shape}"
            raise DatasetImportError(
                f"{origin}: {name} ({unit}) must be finite with shape {shape}, found {bad}; "
                "recompute this entry, drop it, or import without that field"
            )


def label(
    atoms: Atoms,
    *,
    origin: str,
    config_type: str,
    source: str,
    energy: Any = None,
    forces: Any = None,
    virial: Any = None,
) -> Atoms:
    """Attach phonogap labels in place, drop the calculator and validate.

    Parameters
    ----------
    atoms
        The configuration.
    origin
        File and entry, quoted by error messages.
    config_type, source
        Names stored under ``config_type`` and ``source``.
    energy, forces, virial
        Labels already in phonogap units and signs (eV, eV/Å, eV 3x3); ``None`` = absent.

    Returns
    -------
    Atoms
        The same object.
    """
    atoms.calc = None
    atoms.info.update({ORIGIN_KEY: origin, CONFIG_TYPE_KEY: config_type, SOURCE_KEY: source})
    try:
        if energy is not None:
            atoms.info[ENERGY_KEY] = float(energy)
        if forces is not None:
            atoms.arrays[FORCES_KEY] = np.array(forces, dtype=float).reshape(len(atoms), 3)
        if virial is not None:
            atoms.info[VIRIAL_KEY] = np.array(virial, dtype=float).reshape(3, 3)
    except (TypeError, ValueError) as exc:
        raise DatasetImportError(
            f"{origin}: labels are not numbers of the right shape ({exc}); fix or drop the entry"
        ) from exc
    validate_labels(atoms)
    return atoms


def existing_file(path: str | Path, what: str, fix: str) -> Path:
    """Return ``path`` if it exists, else raise ``FileNotFoundError`` naming it and the fix."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{what} {str(path)!r} does not exist; {fix}")
    return path


def file_record(path: str | Path, name: str | None = None) -> dict[str, str]:
    """Return ``{"path": name or resolved path, "sha256": digest}`` of an input file."""
    return {"path": name or str(Path(path).resolve()), "sha256": file_sha256(path)}
