"""Jobs that prepare structures: relaxation with the reference and the filters."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from jobflow import job

from phonogap.reference.evaluate import map_with_calculator
from phonogap.schemas.provenance import software_versions
from phonogap.schemas.structures import (
    DroppedStructureRecord,
    RelaxationDocument,
    RelaxedStructure,
)
from phonogap.structures.filters import filter_max_atoms, filter_unchanged_by_relaxation
from phonogap.structures.relax import RelaxResult, relax_structure
from phonogap.structures.settings import FilterSettings, RelaxSettings

if TYPE_CHECKING:
    from ase.calculators.calculator import Calculator
    from pymatgen.core import Structure

    from phonogap.reference.base import Reference

logger = logging.getLogger(__name__)


def relax_task(task: tuple[Structure, RelaxSettings], calculator: Calculator) -> RelaxResult:
    """Relax one structure (a picklable unit of work for the process pool).

    Parameters
    ----------
    task
        The structure and the relaxation settings.
    calculator
        The calculator of the worker process.

    Returns
    -------
    RelaxResult
        The relaxed structure, energy, residual force and step count.
    """
    structure, settings = task
    return relax_structure(
        structure,
        calculator,
        fmax=settings.fmax_ev_per_ang,
        max_steps=settings.max_steps,
        relax_cell=settings.relax_cell,
    )


def relax_many(
    reference: Reference,
    structures: dict[str, Structure],
    settings: RelaxSettings,
    n_workers: int | None = None,
) -> dict[str, RelaxResult]:
    """Relax several structures with one reference over a process pool.

    Parameters
    ----------
    reference
        Calculator source (reference backend or fitted potential).
    structures
        Name to structure.
    settings
        Relaxation settings.
    n_workers
        Processes (default: all available cores).

    Returns
    -------
    dict
        Name to relaxation result, in input order.
    """
    names = list(structures)
    tasks = [(structures[name], settings) for name in names]
    results = map_with_calculator(reference, relax_task, tasks, n_workers)
    return dict(zip(names, results, strict=True))


@job(name="relax_with_reference")
def relax_with_reference(
    structures: dict[str, Structure],
    reference: Reference,
    mp_ids: dict[str, str] | None = None,
    relax_settings: RelaxSettings | None = None,
    filter_settings: FilterSettings | None = None,
    n_workers: int | None = None,
) -> RelaxationDocument:
    """Relax candidate structures with the reference and drop those that changed.

    Parameters
    ----------
    structures
        Name to candidate structure.
    reference
        The reference backend.
    mp_ids
        Optional name to Materials Project id.
    relax_settings
        Relaxation settings (defaults: :class:`RelaxSettings`).
    filter_settings
        Filter settings (defaults: the paper's StructureMatcher tolerances).
    n_workers
        Processes for the relaxations.

    Returns
    -------
    RelaxationDocument
        Kept structures (initial and relaxed) and dropped ones with reasons.
    """
    relax_settings = relax_settings or RelaxSettings()
    filter_settings = filter_settings or FilterSettings()
    mp_ids = mp_ids or {}
    dropped: list[DroppedStructureRecord] = []
    candidates = dict(structures)
    if filter_settings.max_atoms is not None:
        kept_names, too_big = filter_max_atoms(candidates, filter_settings.max_atoms)
        dropped += [DroppedStructureRecord(name=d.name, reason=d.reason) for d in too_big]
        candidates = {name: candidates[name] for name in kept_names}

    results = relax_many(reference, candidates, relax_settings, n_workers)
    not_converged = [name for name, result in results.items() if not result.converged]
    for name in not_converged:
        dropped.append(
            DroppedStructureRecord(
                name=name,
                reason=(
                    f"relaxation did not converge to {relax_settings.fmax_ev_per_ang} eV/Å in "
                    f"{relax_settings.max_steps} steps (max force "
                    f"{results[name].max_force_ev_per_ang:.2e} eV/Å)"
                ),
            )
        )
    converged = {name: result for name, result in results.items() if result.converged}
    kept_names, changed = filter_unchanged_by_relaxation(
        {name: candidates[name] for name in converged},
        {name: result.structure for name, result in converged.items()},
        ltol=filter_settings.ltol,
        stol=filter_settings.stol,
        angle_tol=filter_settings.angle_tol,
    )
    dropped += [DroppedStructureRecord(name=d.name, reason=d.reason) for d in changed]
    for record in dropped:
        logger.warning("dropped %s: %s", record.name, record.reason)
    kept = [
        RelaxedStructure(
            name=name,
            mp_id=mp_ids.get(name),
            initial=candidates[name],
            relaxed=converged[name].structure,
            energy_ev_per_atom=converged[name].energy_ev / len(candidates[name]),
            max_force_ev_per_ang=converged[name].max_force_ev_per_ang,
            n_steps=converged[name].n_steps,
            converged=True,
        )
        for name in kept_names
    ]
    return RelaxationDocument(
        reference=reference.provenance(),
        structures=kept,
        dropped=dropped,
        settings={
            "relax": relax_settings.model_dump(),
            "filter": filter_settings.model_dump(),
        },
        versions=software_versions(),
    )
