"""Workflow layer: thermal-conductivity jobs (phono3py, relaxation-time approximation).

Each job writes a complete phono3py calculation into its job directory (see
:mod:`phonogap.phonons.kappa_files`): ``phono3py_params.yaml``, ``fc2.hdf5`` and ``fc3.hdf5``;
the document keeps their paths and SHA-256 and puts the small fc2 in the ``data`` store. The
Maker is :class:`phonogap.flows.kappa.KappaMaker`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from jobflow import CURRENT_JOB, job

from phonogap.phonons.kappa import kappa_from_phono3py_dataset, kappa_with_reference
from phonogap.phonons.kappa_attribution import attribute_kappa_error
from phonogap.phonons.kappa_files import FC3_FILE, build_document
from phonogap.phonons.kappa_sources import dataset_source, relax_for_kappa, resolve_force_source
from phonogap.schemas.kappa import KappaAttributionDocument, KappaDocument, KappaSettings

if TYPE_CHECKING:
    from pymatgen.core import Structure

    from phonogap.structures.settings import RelaxSettings

logger = logging.getLogger(__name__)


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


@job(name="kappa", data=["fc2_ev_per_ang2"], output_schema=KappaDocument)
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

    Raises
    ------
    RelaxationCollapsedError
        If the relaxation leaves the window of ``relax_settings`` (the job fails: a kappa
        at a collapsed cell means nothing, and its supercells would not fit in memory).
    SupercellTooLargeError
        If a phono3py supercell exceeds ``settings.max_supercell_atoms``.
    """
    start = perf_counter()
    settings = settings or KappaSettings()
    source, provenance = resolve_force_source(reference)
    name = name or structure.composition.reduced_formula
    relaxation = None
    if relax_settings is not None:
        structure, relaxation = relax_for_kappa(structure, source, relax_settings, name)
    run = kappa_with_reference(structure, source, settings, n_workers, name=name)
    return build_document(
        run,
        name=name,
        method=settings.method,
        settings=settings,
        reference=provenance,
        wall_time_s=perf_counter() - start,
        relaxation=relaxation,
        directory=output_directory(),
    )


@job(name="kappa_from_dataset", data=["fc2_ev_per_ang2"], output_schema=KappaDocument)
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
    target, provenance, default_name = dataset_source(path)
    run = kappa_from_phono3py_dataset(target, settings)
    return build_document(
        run,
        name=name or default_name,
        method="imported",
        settings=settings,
        reference=provenance,
        wall_time_s=perf_counter() - start,
        directory=output_directory(),
    )


@job(name="kappa_attribution", output_schema=KappaAttributionDocument)
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
    target, dataset, default_name = dataset_source(path)
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
