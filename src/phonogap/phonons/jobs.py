"""Phonon benchmark jobs: potential vs reference for each structure, then one summary."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
from jobflow import Flow, OnMissing, Response, job

from phonogap.database.displacements import DISPLACEMENT_INDEX_KEY, phonopy_from_setup
from phonogap.database.keys import FORCES_KEY, SINGLE_DISPLACEMENT
from phonogap.phonons.comparison import compare_phonons
from phonogap.phonons.harmonic import displaced_supercells, make_phonopy, set_forces, total_dos
from phonogap.phonons.settings import PhononSettings
from phonogap.phonons.summary import summarise_benchmarks
from phonogap.reference.evaluate import evaluate_configurations
from phonogap.reference.gap import GapPotential
from phonogap.schemas.configuration import Configuration
from phonogap.schemas.phonons import (
    BandData,
    DosData,
    PhononBenchmarkDocument,
)
from phonogap.schemas.provenance import software_versions
from phonogap.structures.relax import relax_structure
from phonogap.structures.settings import RelaxSettings

if TYPE_CHECKING:
    from phonopy import Phonopy
    from pymatgen.core import Structure

    from phonogap.reference.base import Reference
    from phonogap.schemas.dataset import PhononSetup
    from phonogap.schemas.fit import GapFitDocument
    from phonogap.schemas.kappa import KappaDocument
    from phonogap.schemas.structures import RelaxationDocument

logger = logging.getLogger(__name__)


def forces_from(reference: Reference, phonon: Phonopy, n_workers: int | None) -> list[np.ndarray]:
    """Compute the forces on every displaced supercell of a phonopy object.

    Parameters
    ----------
    reference
        Calculator source (reference backend or fitted potential).
    phonon
        phonopy object with displacements.
    n_workers
        Processes.

    Returns
    -------
    list of ndarray
        Forces (eV/Å), one (n_atoms, 3) array per displacement.
    """
    from pymatgen.io.ase import AseAtomsAdaptor

    supercells = [AseAtomsAdaptor.get_atoms(s) for s in displaced_supercells(phonon)]
    labelled = evaluate_configurations(reference, supercells, n_workers)
    return [atoms.arrays[FORCES_KEY] for atoms in labelled]


def reference_phonopy(
    setup: PhononSetup,
    reference: Reference | None,
    reference_forces: list[list[list[float]]] | None,
    n_workers: int | None,
) -> Phonopy:
    """Rebuild the reference phonons, from stored labels when the database has them.

    Parameters
    ----------
    setup
        Unit cell, supercell matrix and displacement dataset.
    reference
        Used only when ``reference_forces`` is None (no single-displacement data).
    reference_forces
        Forces on the displaced supercells, in displacement order.
    n_workers
        Processes for reference calls.

    Returns
    -------
    Phonopy
        With force constants.
    """
    phonon = phonopy_from_setup(setup.model_dump(), primitive_matrix=setup.primitive_matrix)
    forces = reference_forces
    if forces is None:
        if reference is None:
            raise ValueError(
                f"{setup.name}: the dataset has no complete set of single-displacement forces "
                "and no reference backend was given to compute them; import the complete "
                "phonopy dataset (every displacement with forces) or name a reference"
            )
        logger.info("%s: no single-displacement labels, calling the reference", setup.name)
        forces = forces_from(reference, phonon, n_workers)
    return set_forces(phonon, forces)


def potential_phonopy(
    structure: Structure,
    setup: PhononSetup,
    potential: GapPotential,
    primitive_matrix: np.ndarray,
    n_workers: int | None,
) -> Phonopy:
    """Phonons of a potential-relaxed structure in the reference's supercell.

    Parameters
    ----------
    structure
        Structure relaxed with the potential.
    setup
        The reference setup (supercell matrix, displacement length).
    potential
        The fitted potential.
    primitive_matrix
        The reference's primitive matrix, so both sides use the same primitive cell even if
        relaxation with the potential lowered the symmetry.
    n_workers
        Processes.

    Returns
    -------
    Phonopy
        With force constants.
    """
    phonon = make_phonopy(
        structure,
        setup.supercell_matrix,
        displacement=setup.displacement_ang,
        primitive_matrix=primitive_matrix,
    )
    return set_forces(phonon, forces_from(potential, phonon, n_workers))


@job(name="phonon_benchmark", data=["bands", "dos"])
def benchmark_structure(
    setup: PhononSetup,
    fit: GapFitDocument,
    reference: Reference | None,
    reference_forces: list[list[list[float]]] | None = None,
    mp_id: str | None = None,
    relax_settings: RelaxSettings | None = None,
    phonon_settings: PhononSettings | None = None,
    n_workers: int | None = None,
) -> PhononBenchmarkDocument:
    """Relax one structure with the potential and compare its phonons with the reference.

    Parameters
    ----------
    setup
        The reference's relaxed cell, supercell and displacements.
    fit
        The fitted potential's document.
    reference
        The reference backend (used only without stored single-displacement forces).
    reference_forces
        Reference forces on the displaced supercells.
    mp_id
        Materials Project id, if known.
    relax_settings
        Relaxation with the potential.
    phonon_settings
        Band path sampling and mesh.
    n_workers
        Processes for force evaluations.

    Returns
    -------
    PhononBenchmarkDocument
        RMS error, imaginary-mode flags, volumes and band data.
    """
    relax_settings = relax_settings or RelaxSettings()
    phonon_settings = phonon_settings or PhononSettings()
    potential = GapPotential(xml_path=fit.potential_xml)
    reference_phonon = reference_phonopy(setup, reference, reference_forces, n_workers)
    if phonon_settings.potential_geometry == "reference":
        geometry, converged = setup.unitcell, True
    else:
        relaxed = relax_structure(
            setup.unitcell,
            potential.calculator(),
            fmax=relax_settings.fmax_ev_per_ang,
            max_steps=relax_settings.max_steps,
            relax_cell=relax_settings.relax_cell,
        )
        geometry, converged = relaxed.structure, relaxed.converged
        if not converged:
            logger.warning(
                "%s: relaxation with the potential stopped at max force %.2e eV/Å",
                setup.name,
                relaxed.max_force_ev_per_ang,
            )
    phonon = potential_phonopy(
        geometry, setup, potential, reference_phonon.primitive_matrix, n_workers
    )
    comparison, path, reference_thz, potential_thz = compare_phonons(
        reference_phonon,
        phonon,
        points_per_segment=phonon_settings.points_per_segment,
        mesh=phonon_settings.mesh,
    )
    unitcell = setup.unitcell
    return PhononBenchmarkDocument(
        name=setup.name,
        mp_id=mp_id,
        formula=unitcell.composition.reduced_formula,
        n_atoms=len(unitcell),
        rms_thz=comparison.rms_thz,
        max_abs_error_thz=comparison.max_abs_thz,
        imaginary_reference=comparison.imaginary_reference,
        imaginary_potential=comparison.imaginary_potential,
        false_instability=comparison.false_instability,
        min_frequency_reference_thz=comparison.min_frequency_reference_thz,
        min_frequency_potential_thz=comparison.min_frequency_potential_thz,
        volume_reference_ang3_per_atom=unitcell.volume / len(unitcell),
        volume_potential_ang3_per_atom=geometry.volume / len(geometry),
        potential_relax_converged=converged,
        supercell_matrix=setup.supercell_matrix,
        n_displacements=setup.n_displacements,
        potential_sha256=fit.potential_sha256,
        settings={"phonons": phonon_settings.model_dump(), "relax": relax_settings.model_dump()},
        bands=BandData(
            qpoints=np.asarray(path.qpoints).tolist(),
            distances=np.asarray(path.distances).tolist(),
            labels=list(path.labels),
            connections=list(path.connections),
            segment_lengths=[len(segment) for segment in path.segment_qpoints],
            reference_thz=np.asarray(reference_thz).tolist(),
            potential_thz=np.asarray(potential_thz).tolist(),
        ),
        dos=dos_on_common_grid(reference_phonon, phonon, phonon_settings.mesh),
        versions=software_versions(),
    )


def dos_on_common_grid(reference: Phonopy, potential: Phonopy, mesh: float | tuple) -> DosData:
    """Total DOS of both sides on the reference's frequency grid.

    Parameters
    ----------
    reference
        Reference phonons.
    potential
        Potential phonons.
    mesh
        q-mesh (integers or a length in Å).

    Returns
    -------
    DosData
        Frequencies (THz) and states/THz for both.
    """
    frequencies, reference_dos = total_dos(reference, mesh)
    potential_frequencies, potential_dos = total_dos(potential, mesh)
    return DosData(
        frequencies_thz=np.asarray(frequencies).tolist(),
        reference_states_per_thz=np.asarray(reference_dos).tolist(),
        potential_states_per_thz=np.interp(
            frequencies, potential_frequencies, potential_dos, left=0.0, right=0.0
        ).tolist(),
    )


def single_displacement_forces(
    configurations: list[Configuration], name: str, n_displacements: int
) -> list[list[list[float]]] | None:
    """Collect a structure's labelled single-displacement forces in displacement order.

    Parameters
    ----------
    configurations
        The labelled dataset.
    name
        Structure name (``source`` of its configurations).
    n_displacements
        Expected number of displacements.

    Returns
    -------
    list or None
        Forces per displacement, or None if the dataset lacks a complete set.
    """
    found = {
        int(c.info[DISPLACEMENT_INDEX_KEY]): c.forces_ev_per_ang
        for c in configurations
        if c.source == name and c.config_type == SINGLE_DISPLACEMENT and c.forces_ev_per_ang
    }
    if sorted(found) != list(range(n_displacements)):
        return None
    return [found[index] for index in range(n_displacements)]


@job(name="benchmark_phonons")
def benchmark_phonons(
    relaxation: RelaxationDocument | None,
    setups: list[PhononSetup],
    configurations: list[Configuration],
    fit: GapFitDocument,
    reference: Reference | None,
    run_name: str = "phonon_accurate_gap",
    relax_settings: RelaxSettings | None = None,
    phonon_settings: PhononSettings | None = None,
    settings: dict | None = None,
    kappa: list[KappaDocument | None] | None = None,
    n_workers: int | None = None,
    mp_ids: dict[str, str] | None = None,
) -> Response:
    """Fan out one benchmark job per structure and a summary (dynamic replacement).

    Parameters
    ----------
    relaxation
        The reference relaxation document (mp ids, dropped structures); ``None`` for
        imported datasets, whose mp ids come in ``mp_ids``.
    setups
        Phonon setups of the kept structures.
    configurations
        Labelled dataset (single-displacement forces are the reference phonons).
    fit
        The fitted potential.
    reference
        The reference backend (``None`` for imported datasets, which hold every force).
    run_name
        Name recorded in the summary.
    relax_settings
        Relaxation with the potential.
    phonon_settings
        Band path and mesh.
    settings
        Run settings recorded in the summary (f, strategy, M, ...).
    kappa
        Outputs of the optional kappa jobs, passed on to the summary.
    n_workers
        Processes per benchmark job.
    mp_ids
        Structure name to Materials Project id (added to those of ``relaxation``).

    Returns
    -------
    Response
        Replaces this job by the per-structure jobs and the summary.
    """
    dropped = [] if relaxation is None else [r.model_dump() for r in relaxation.dropped]
    known = {} if relaxation is None else {s.name: s.mp_id for s in relaxation.structures}
    mp_ids = {**known, **(mp_ids or {})}
    jobs = []
    for setup in setups:
        benchmark = benchmark_structure(
            setup,
            fit,
            reference,
            reference_forces=single_displacement_forces(
                configurations, setup.name, setup.n_displacements
            ),
            mp_id=mp_ids.get(setup.name),
            relax_settings=relax_settings,
            phonon_settings=phonon_settings,
            n_workers=n_workers,
        )
        benchmark.name = f"phonon_benchmark {setup.name}"
        jobs.append(benchmark)
    summary = summarise_benchmarks(
        [benchmark.output for benchmark in jobs],
        [setup.name for setup in setups],
        run_name=run_name,
        dropped=dropped,
        fit=fit,
        settings=settings or {},
        kappa=kappa or [],
    )
    summary.config.on_missing_references = OnMissing.NONE
    jobs.append(summary)
    return Response(replace=Flow(jobs, output=summary.output, name=f"{run_name} benchmarks"))
