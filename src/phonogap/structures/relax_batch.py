"""Relax several structures with one reference over a process pool."""

from __future__ import annotations

from typing import TYPE_CHECKING

from phonogap.reference.evaluate import map_with_calculator
from phonogap.structures.relax import RelaxResult, relax_structure

if TYPE_CHECKING:
    from ase.calculators.calculator import Calculator
    from pymatgen.core import Structure

    from phonogap.reference.base import Reference
    from phonogap.structures.settings import RelaxSettings


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
    results = map_with_calculator(
        reference, relax_task, tasks, n_workers, what="structures relaxed"
    )
    return dict(zip(names, results, strict=True))
