"""Jobs that build and label the training database."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from jobflow import job

from phonogap.database.displacements import single_displacement_supercells
from phonogap.database.extxyz import labelled_summary
from phonogap.database.isolated_atom import isolated_atom
from phonogap.database.randomised import randomised_supercells
from phonogap.database.settings import DatabaseSettings
from phonogap.database.supercells import minimum_length_supercell
from phonogap.reference.evaluate import evaluate_configurations
from phonogap.schemas.configuration import to_atoms_list, to_configurations
from phonogap.schemas.dataset import DatabaseDocument, LabelledDatasetDocument, PhononSetup
from phonogap.schemas.provenance import checksum_of, software_versions

if TYPE_CHECKING:
    from ase import Atoms

    from phonogap.reference.base import Reference
    from phonogap.schemas.structures import RelaxationDocument

logger = logging.getLogger(__name__)


@job(name="build_database", data=["configurations"])
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
    configurations: list[Atoms] = []
    setups = []
    for name, structure in relaxation.kept().items():
        matrix = minimum_length_supercell(structure, settings.min_supercell_length_ang)
        displaced, setup = single_displacement_supercells(
            structure, matrix, settings.displacement_ang, source=name
        )
        setups.append(PhononSetup(name=name, **setup))
        if settings.uses_single_displacements:
            configurations += displaced
        if settings.uses_randomised:
            matrix = (
                matrix
                if settings.randomised_min_length_ang is None
                else minimum_length_supercell(structure, settings.randomised_min_length_ang)
            )
            randomised = randomised_supercells(
                structure,
                matrix,
                count=settings.n_randomised,
                scale_range=settings.scale_range,
                rattle_std=settings.rattle_std_ang,
                seed=settings.seed,
                source=name,
            )
            configurations += randomised
    if settings.include_isolated_atom:
        species = sorted({str(el) for s in relaxation.kept().values() for el in s.elements})
        configurations += [isolated_atom(symbol) for symbol in species]
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


@job(name="label_database", data=["configurations"])
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
    labelled = evaluate_configurations(reference, to_atoms_list(database.configurations), n_workers)
    return LabelledDatasetDocument(
        reference=reference.provenance(),
        configurations=to_configurations(labelled),
        summary=labelled_summary(labelled),
        wall_time_s=time.perf_counter() - start,
        input_checksum=checksum_of([c.model_dump() for c in database.configurations]),
        versions=software_versions(),
    )
