"""Thermal-conductivity jobs and the KappaMaker (phono3py, relaxation-time approximation).

Each job writes a complete phono3py calculation into its directory: ``phono3py_params.yaml``
(cells, displacements, forces), ``fc2.hdf5`` and ``fc3.hdf5``; ``phono3py-load
phono3py_params.yaml --mesh 11 11 11 --br`` run there reads the hdf5 files and reproduces the
document's kappa. The document keeps their paths and SHA-256 (fc3 never enters the JobStore,
see :mod:`phonogap.schemas.kappa`) and puts the small fc2 in the ``data`` store.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import numpy as np
from jobflow import CURRENT_JOB, Maker, job
from phono3py.file_IO import write_fc2_to_hdf5, write_fc3_to_hdf5

from phonogap.phonons.harmonic import phonopy_atoms_to_structure
from phonogap.phonons.kappa import KappaRun, kappa_from_phono3py_dataset, kappa_with_reference
from phonogap.phonons.kappa_attribution import attribute_kappa_error
from phonogap.phonons.kappa_dataset import find_phono3py_files
from phonogap.reference.base import Reference
from phonogap.reference.gap import GapPotential
from phonogap.reference.registry import reference_from_spec
from phonogap.reference.stillinger_weber import StillingerWeberReference
from phonogap.schemas.kappa import (
    ForceConstantsFiles,
    KappaAttributionDocument,
    KappaDocument,
    KappaSettings,
)
from phonogap.schemas.provenance import file_sha256, software_versions
from phonogap.structures.relax import relax_structure
from phonogap.structures.settings import RelaxSettings

if TYPE_CHECKING:
    from jobflow import Job
    from phono3py import Phono3py
    from pymatgen.core import Structure

logger = logging.getLogger(__name__)

FC2_FILE = "fc2.hdf5"
FC3_FILE = "fc3.hdf5"
PARAMS_FILE = "phono3py_params.yaml"
FIT_FIELDS = ("potential_xml", "potential_sha256", "f")


def output_directory() -> Path:
    """Return where a kappa job writes its files: the job directory.

    When several jobs share one directory (``run_locally(create_folders=False)``) and another
    job's ``fc3.hdf5`` is already there, a ``kappa-<job uuid>`` subdirectory is used instead.

    Returns
    -------
    Path
        An existing directory.
    """
    directory = Path.cwd()
    if (directory / FC3_FILE).exists():
        running = getattr(CURRENT_JOB, "job", None)
        suffix = running.uuid if running is not None else uuid4().hex
        directory = directory / f"kappa-{suffix}"
        directory.mkdir(exist_ok=True)
    return directory.resolve()


def write_phono3py_files(ph3: Phono3py, directory: Path) -> ForceConstantsFiles:
    """Write ``phono3py_params.yaml``, ``fc2.hdf5`` and ``fc3.hdf5`` (compact) to a directory.

    Parameters
    ----------
    ph3
        With forces, fc2 and fc3.
    directory
        Existing output directory.

    Returns
    -------
    ForceConstantsFiles
        Paths, checksums and shapes.
    """
    ph3.save(directory / PARAMS_FILE)
    write_fc2_to_hdf5(ph3.fc2, str(directory / FC2_FILE), p2s_map=ph3.phonon_primitive.p2s_map)
    write_fc3_to_hdf5(
        ph3.fc3,
        fc3_nonzero_indices=ph3.fc3_nonzero_indices,
        filename=str(directory / FC3_FILE),
        p2s_map=ph3.primitive.p2s_map,
        fc3_cutoff=ph3.fc3_cutoff,
    )
    return ForceConstantsFiles(
        directory=str(directory),
        fc2_hdf5=FC2_FILE,
        fc3_hdf5=FC3_FILE,
        fc2_sha256=file_sha256(directory / FC2_FILE),
        fc3_sha256=file_sha256(directory / FC3_FILE),
        fc2_shape=list(ph3.fc2.shape),
        fc3_shape=list(ph3.fc3.shape),
    )


def resolve_force_source(source: Any) -> tuple[Reference, dict[str, Any]]:
    """Turn a reference spec or a fitted potential's document into a reference + provenance.

    Parameters
    ----------
    source
        A :class:`Reference`, a registry name or ``{"backend": ...}`` dict, or a
        :class:`~phonogap.schemas.fit.GapFitDocument` (object or dict with ``potential_xml``).

    Returns
    -------
    tuple
        The reference and its provenance (for a fit: plus potential checksum and f).
    """
    if isinstance(source, Reference):
        return source, source.provenance()
    if isinstance(source, dict):
        fit = source if "potential_xml" in source else None
    elif hasattr(source, "potential_xml"):
        fit = {
            key: getattr(source, key, None) for key in ("potential_xml", "potential_sha256", "f")
        }
    else:
        fit = None
    if fit is None:
        reference = reference_from_spec(source)
        return reference, reference.provenance()
    potential = GapPotential(xml_path=fit["potential_xml"])
    provenance = potential.provenance()
    provenance["potential_sha256"] = fit.get("potential_sha256")
    provenance["f"] = fit.get("f")
    return potential, provenance


def build_document(
    run: KappaRun,
    *,
    name: str,
    method: str,
    settings: KappaSettings,
    reference: dict[str, Any],
    wall_time_s: float,
    relaxation: dict[str, Any] | None = None,
) -> KappaDocument:
    """Write the phono3py files and assemble the output document.

    Parameters
    ----------
    run
        The finished calculation.
    name
        Label.
    method
        ``finite_displacement``, ``random_displacements`` or ``imported``.
    settings
        Settings used.
    reference
        Force-source provenance.
    wall_time_s
        Wall time so far (s).
    relaxation
        Relaxation record, if the structure was relaxed first.

    Returns
    -------
    KappaDocument
        The document (fc2 inline for the data store, fc3 as a file reference).
    """
    ph3 = run.phono3py
    files = write_phono3py_files(ph3, output_directory())
    structure = phonopy_atoms_to_structure(ph3.unitcell)
    psmat = ph3.phonon_supercell_matrix
    return KappaDocument(
        name=name,
        formula=structure.composition.reduced_formula,
        structure=structure,
        method=method,
        temperatures_k=run.result.temperatures_k,
        kappa_tensors_w_per_mk=run.result.kappa_tensors_w_per_mk,
        kappa_mean_diagonal_w_per_mk=run.result.kappa_mean_diagonal_w_per_mk,
        mesh=run.result.mesh,
        supercell_matrix=np.asarray(ph3.supercell_matrix).tolist(),
        phonon_supercell_matrix=None if psmat is None else np.asarray(psmat).tolist(),
        primitive_matrix=np.asarray(ph3.primitive_matrix).tolist(),
        n_atoms_supercell=len(ph3.supercell),
        n_supercells=run.n_supercells,
        n_phonon_supercells=run.n_phonon_supercells,
        settings=settings,
        reference=reference,
        relaxation=relaxation,
        force_constants=files,
        fc2_ev_per_ang2=np.asarray(ph3.fc2).tolist(),
        timings_s=run.timings_s,
        wall_time_s=wall_time_s,
        versions=software_versions(),
    )


def _relax(structure: Structure, reference: Reference, settings: RelaxSettings) -> tuple:
    relaxed = relax_structure(
        structure,
        reference.calculator(),
        fmax=settings.fmax_ev_per_ang,
        max_steps=settings.max_steps,
        relax_cell=settings.relax_cell,
    )
    if not relaxed.converged:
        logger.warning("relaxation stopped at %.2e eV/Å", relaxed.max_force_ev_per_ang)
    record = {
        "converged": relaxed.converged,
        "n_steps": relaxed.n_steps,
        "max_force_ev_per_ang": relaxed.max_force_ev_per_ang,
        "max_stress_gpa": relaxed.max_stress_gpa,
        "volume_initial_ang3_per_atom": structure.volume / len(structure),
        "volume_relaxed_ang3_per_atom": relaxed.structure.volume / len(relaxed.structure),
        "settings": settings.model_dump(),
    }
    return relaxed.structure, record


@job(name="kappa", data=["fc2_ev_per_ang2"])
def compute_kappa(
    structure: Structure,
    reference: Any,
    settings: KappaSettings | None = None,
    name: str | None = None,
    relax_settings: RelaxSettings | None = None,
    n_workers: int | None = None,
) -> KappaDocument:
    """Compute kappa of a structure with forces from a reference or a fitted potential.

    Parameters
    ----------
    structure
        The crystal.
    reference
        Force source: a reference (spec) or a ``GapFitDocument`` (see
        :func:`resolve_force_source`), so a fit job's output can be passed directly.
    settings
        phono3py settings (default :class:`KappaSettings`).
    name
        Label (default: the reduced formula).
    relax_settings
        Relax cell and positions with the same force source first (None: use as given).
    n_workers
        Processes for the force evaluations.

    Returns
    -------
    KappaDocument
        Kappa per temperature, supercell counts, provenance, fc file checksums.
    """
    start = perf_counter()
    settings = settings or KappaSettings()
    source, provenance = resolve_force_source(reference)
    relaxation = None
    if relax_settings is not None:
        structure, relaxation = _relax(structure, source, relax_settings)
    run = kappa_with_reference(structure, source, settings, n_workers)
    return build_document(
        run,
        name=name or structure.composition.reduced_formula,
        method=settings.method,
        settings=settings,
        reference=provenance,
        wall_time_s=perf_counter() - start,
        relaxation=relaxation,
    )


def _dataset_source(path: str | list[str]) -> tuple[Any, dict[str, Any], str]:
    """Resolve a phono3py dataset: the target for the loaders, its provenance, a label."""
    target = tuple(path) if isinstance(path, list | tuple) else path
    files = find_phono3py_files(target)
    used = {k: v for k, v in vars(files).items() if v is not None}
    provenance = {
        "backend": "imported",
        "files": {k: str(v) for k, v in used.items()},
        "sha256": {k: file_sha256(v) for k, v in used.items()},
    }
    default_name = files.yaml.parent.name if isinstance(target, str | Path) else files.yaml.stem
    return target, provenance, default_name


@job(name="kappa_from_dataset", data=["fc2_ev_per_ang2"])
def kappa_from_dataset(
    path: str | list[str], settings: KappaSettings | None = None, name: str | None = None
) -> KappaDocument:
    """Compute kappa from an imported phono3py dataset (e.g. the user's own DFT run).

    Parameters
    ----------
    path
        Folder, or ``[yaml, FORCES_FC3(, FORCES_FC2)]`` (see
        :func:`~phonogap.phonons.kappa_dataset.find_phono3py_files`).
    settings
        Mesh, temperatures, isotope and boundary scattering (the rest comes from the data).
    name
        Label (default: the folder or yaml name).

    Returns
    -------
    KappaDocument
        With ``method="imported"`` and the files' checksums as provenance.
    """
    start = perf_counter()
    settings = settings or KappaSettings()
    target, provenance, default_name = _dataset_source(path)
    run = kappa_from_phono3py_dataset(target, settings)
    return build_document(
        run,
        name=name or default_name,
        method="imported",
        settings=settings,
        reference=provenance,
        wall_time_s=perf_counter() - start,
    )


@job(name="kappa_attribution")
def attribute_kappa_to_force_constants(
    path: str | list[str],
    potential: Any,
    settings: KappaSettings | None = None,
    name: str | None = None,
    n_workers: int | None = None,
) -> KappaAttributionDocument:
    """Split a potential's kappa error on a DFT dataset into fc2 and fc3 parts.

    Parameters
    ----------
    path
        The phono3py dataset (as :func:`kappa_from_dataset`).
    potential
        A ``GapFitDocument`` (or a fit job's output reference), a ``GapPotential`` or any
        reference spec (see :func:`resolve_force_source`).
    settings
        Mesh, temperatures, isotope and boundary scattering.
    name
        Label (default: the dataset's name).
    n_workers
        Processes for the force evaluations.

    Returns
    -------
    KappaAttributionDocument
        Kappa of the dataset, of the potential on the dataset's own cells and of the two
        fc2/fc3 swaps (:func:`~phonogap.phonons.kappa_attribution.attribute_kappa_error`).
    """
    start = perf_counter()
    target, dataset, default_name = _dataset_source(path)
    source, provenance = resolve_force_source(potential)
    attribution = attribute_kappa_error(target, source, settings, n_workers)
    return KappaAttributionDocument(
        name=name or default_name,
        dataset=dataset,
        potential=provenance,
        attribution=attribution,
        deviations_percent=attribution.deviations_percent(),
        wall_time_s=perf_counter() - start,
    )


@dataclass
class KappaMaker(Maker):
    """Lattice thermal conductivity of one structure (phono3py, RTA), as one job.

    Parameters
    ----------
    name
        Job name.
    settings
        Method (finite or random displacements), supercells, mesh, temperatures.
    reference
        Force source when :meth:`make` gets no ``potential``: a reference, a registry name or
        ``{"backend": ..., **settings}``. Default: Stillinger–Weber silicon.
    relax_settings
        Relax with the force source before phono3py (the paper's protocol; default: forces
        < 1e-5 eV/Å, cell too). None computes kappa at the given geometry.
    n_workers
        Processes for force evaluations (default: all cores).
    """

    name: str = "kappa"
    settings: KappaSettings = field(default_factory=KappaSettings)
    reference: Any = field(default_factory=StillingerWeberReference)
    relax_settings: RelaxSettings | None = field(default_factory=RelaxSettings)
    n_workers: int | None = None

    def make(self, structure: Structure, potential: Any = None, label: str | None = None) -> Job:
        """Build the kappa job.

        Parameters
        ----------
        structure
            The crystal (or an output reference to one).
        potential
            Optional fitted potential instead of :attr:`reference`: a ``GapFitDocument`` or an
            output reference to one (``fit_job.output``), or a ``GapPotential``.
        label
            Name of the calculation (document ``name``; appended to the job name).

        Returns
        -------
        Job
            Its output is a :class:`~phonogap.schemas.kappa.KappaDocument`.
        """
        source = potential if potential is not None else reference_from_spec(self.reference)
        kappa_job = compute_kappa(
            structure,
            source,
            settings=self.settings,
            name=label,
            relax_settings=self.relax_settings,
            n_workers=self.n_workers,
        )
        kappa_job.name = self.name if label is None else f"{self.name} {label}"
        return kappa_job
