"""Workflow layer: phonon benchmark jobs, potential vs reference per structure, then a summary.

``benchmark_phonons`` fans out one ``phonon_benchmark`` job per structure
(:func:`benchmark_structure`) and the summary job of :mod:`phonogap.jobs.summaries`. The
phonopy work is science (:mod:`phonogap.phonons.benchmark`, :mod:`phonogap.phonons.comparison`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
from jobflow import Flow, OnMissing, Response, job

from phonogap.jobs.summaries import summarise_benchmarks
from phonogap.phonons.benchmark import (
    dos_on_common_grid,
    likely_collapse_cause,
    potential_phonopy,
    reference_phonopy,
    rms_without_nac,
    single_displacement_forces,
)
from phonogap.phonons.comparison import compare_phonons
from phonogap.phonons.interchange import band_structure, phonopy_params_yaml
from phonogap.phonons.settings import PhononSettings
from phonogap.phonons.supercell_guard import check_supercell_size
from phonogap.progress import report_replacement
from phonogap.reference.gap import GapPotential
from phonogap.schemas.phonons import BandData, PhononBenchmarkDocument
from phonogap.schemas.provenance import software_versions
from phonogap.structures.relax import relax_structure
from phonogap.structures.settings import RelaxSettings

if TYPE_CHECKING:
    from phonogap.reference.base import Reference
    from phonogap.schemas.configuration import Configuration
    from phonogap.schemas.dataset import PhononSetup
    from phonogap.schemas.fit import GapFitDocument
    from phonogap.schemas.kappa import KappaDocument
    from phonogap.schemas.structures import RelaxationDocument

logger = logging.getLogger(__name__)


PHONON_BENCHMARK_DATA = [
    "bands",
    "dos",
    "reference_phonopy_yaml",
    "potential_phonopy_yaml",
    "reference_band_structure",
    "potential_band_structure",
]
"""Fields of :class:`PhononBenchmarkDocument` kept in the data store (large blobs)."""


@job(name="phonon_benchmark", data=PHONON_BENCHMARK_DATA, output_schema=PhononBenchmarkDocument)
def benchmark_structure(
    setup: PhononSetup,
    fit: GapFitDocument,
    reference: Reference | None,
    reference_forces: list[list[list[float]]] | None = None,
    mp_id: str | None = None,
    relax_settings: RelaxSettings | None = None,
    phonon_settings: PhononSettings | None = None,
    n_workers: int | None = None,
    likely_cause: str | None = None,
) -> PhononBenchmarkDocument:
    """Relax one structure with the potential and compare its phonons with the reference.

    Guards: the supercell is checked against ``phonon_settings.max_supercell_atoms`` before
    phonopy builds it, and the relaxation with the potential against the volume and distance
    window of ``relax_settings``. Either failure fails this job (one structure), with a
    message naming the structure; the other structures' jobs and the summary still run and
    the summary lists the structure as failed. Failing, rather than dropping the structure
    as the reference relaxation does, is what an atomate2/phonopy user expects here: the
    structure was asked for, and a potential that collapses it has failed the benchmark.

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
    likely_cause
        Likely cause named if the relaxation collapses (see
        :func:`~phonogap.phonons.benchmark.likely_collapse_cause`).

    Returns
    -------
    PhononBenchmarkDocument
        RMS error, imaginary-mode flags, volumes and band data; in the data store also the
        phonopy params YAML and the pymatgen band structure of reference and potential.

    Raises
    ------
    SupercellTooLargeError
        If the supercell has more atoms than ``phonon_settings.max_supercell_atoms``.
    RelaxationCollapsedError
        If the relaxation with the potential leaves the window of ``relax_settings``.
    """
    relax_settings = relax_settings or RelaxSettings()
    phonon_settings = phonon_settings or PhononSettings()
    check_supercell_size(
        setup.name,
        len(setup.unitcell),
        setup.supercell_matrix,
        phonon_settings.max_supercell_atoms,
        "phonons.max_supercell_atoms",
    )
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
            guard=relax_settings.guard(setup.name, likely_cause),
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
    return PhononBenchmarkDocument.from_structure(
        unitcell,
        name=setup.name,
        mp_id=mp_id,
        formula=unitcell.composition.reduced_formula,
        n_atoms=len(unitcell),
        rms_thz=comparison.rms_thz,
        rms_thz_without_nac=rms_without_nac(
            reference_phonon, phonon, phonon_settings.points_per_segment, phonon_settings.mesh
        ),
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
        reference_phonopy_yaml=phonopy_params_yaml(reference_phonon),
        potential_phonopy_yaml=phonopy_params_yaml(phonon),
        reference_band_structure=band_structure(path, reference_thz, reference_phonon),
        potential_band_structure=band_structure(path, potential_thz, phonon),
    )


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
        Replaces this job by the per-structure jobs and the summary, whose
        :class:`BenchmarkSummaryDocument` is the output.

    Notes
    -----
    No ``output_schema``: with jobflow 0.4 the schema of a job that replaces itself by a Flow is
    applied to the Flow's unresolved output reference and fails (``Expected output to be ...
    but got output type of OutputReference``).
    """
    dropped = [] if relaxation is None else [r.model_dump() for r in relaxation.dropped]
    known = {} if relaxation is None else {s.name: s.mp_id for s in relaxation.structures}
    mp_ids = {**known, **(mp_ids or {})}
    # the potential's files are in the data store; the fanned-out jobs need only the path
    fit = fit.model_copy(update={"potential_files": {}})
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
            likely_cause=likely_collapse_cause(configurations, setup.name),
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
    replacement = Flow(jobs, output=summary.output, name=f"{run_name} benchmarks")
    report_replacement(replacement)
    return Response(replace=replacement)
