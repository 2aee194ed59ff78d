"""Relax several structures with one reference over a process pool.

A relaxation stopped by its guard (:class:`~phonogap.structures.relax_guard.RelaxGuard`) does
not stop the others: :func:`relax_task` returns it as an unconverged result whose ``failure``
holds the guard's message, so the caller can drop that structure with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from phonogap.reference.evaluate import map_with_calculator
from phonogap.structures.relax import RelaxResult, relax_structure
from phonogap.structures.relax_guard import RelaxationCollapsedError

if TYPE_CHECKING:
    from ase.calculators.calculator import Calculator
    from pymatgen.core import Structure

    from phonogap.reference.base import Reference
    from phonogap.structures.settings import RelaxSettings


def relax_task(
    task: tuple[Structure, RelaxSettings] | tuple[Structure, RelaxSettings, str],
    calculator: Calculator,
) -> RelaxResult:
    """Relax one structure (a picklable unit of work for the process pool).

    Parameters
    ----------
    task
        The structure, the relaxation settings and optionally the structure's name (for
        the guard's message).
    calculator
        The calculator of the worker process.

    Returns
    -------
    RelaxResult
        The relaxed structure, energy, residual force and step count; for a relaxation
        stopped by the guard the input structure, ``converged=False`` and the guard's
        message in ``failure``.
    """
    structure, settings, *rest = task
    name = rest[0] if rest else structure.composition.reduced_formula
    try:
        return relax_structure(
            structure,
            calculator,
            fmax=settings.fmax_ev_per_ang,
            max_steps=settings.max_steps,
            relax_cell=settings.relax_cell,
            guard=settings.guard(name),
        )
    except RelaxationCollapsedError as error:
        return RelaxResult(
            structure=structure,
            energy_ev=float("nan"),
            max_force_ev_per_ang=float("nan"),
            n_steps=0,
            converged=False,
            failure=str(error),
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
    tasks = [(structures[name], settings, name) for name in names]
    results = map_with_calculator(
        reference, relax_task, tasks, n_workers, what="structures relaxed"
    )
    return dict(zip(names, results, strict=True))
