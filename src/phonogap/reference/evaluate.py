"""Evaluate many configurations with one reference, spread over a process pool.

Cheap backends (Stillinger–Weber, a fitted GAP) label hundreds of supercells in one job; the
pool uses every core the job may use. Each worker process builds its calculator once from the
serialisable :class:`~phonogap.reference.base.Reference` (live calculators are not picklable).
Workers are forked, so scripts without an ``if __name__ == "__main__"`` guard work too
(quippy is built without OpenMP, and OpenBLAS re-initialises its thread pool after a fork).

Long single runs (molecular dynamics) go to one child process through
:func:`call_with_calculator`: quippy's ``Potential`` leaks about 1 kB per atom on every
calculation (quippy-ase 0.10, f90wrap 0.3), so 10,000 MD steps of a 216-atom cell leave 2 GB
behind in whatever process ran them; a child returns that memory when it exits.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from phonogap.errors import PhonogapError
from phonogap.processes import set_parent_death_signal
from phonogap.progress import report_progress
from phonogap.schemas.keys import CONFIG_TYPE_KEY, ENERGY_KEY, FORCES_KEY, SOURCE_KEY, VIRIAL_KEY

if TYPE_CHECKING:
    from ase import Atoms
    from ase.calculators.calculator import Calculator

    from phonogap.reference.base import Reference

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")

_worker_calculator: Calculator | None = None

CONFIGURATIONS_LABELLED = "configurations labelled"
"""What labelling reports its progress events as (:mod:`phonogap.progress`)."""


class LabellingError(PhonogapError, RuntimeError):
    """Raised when a reference returns unusable labels (NaN or infinite values)."""


def available_cores() -> int:
    """Count the cores this process may use.

    Returns
    -------
    int
        ``len(os.sched_getaffinity(0))`` where available, else ``os.cpu_count()``.
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _init_worker(reference: Reference, parent_pid: int | None = None) -> None:
    global _worker_calculator
    # a forked worker inherits the command's SIGTERM/SIGHUP handlers; it must simply die
    # (on its parent's death too), not raise into the pool's task loop
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    set_parent_death_signal(parent_pid)
    _worker_calculator = reference.calculator()


def _call_in_worker(function: Callable[[Any, Calculator], Any], item: Any) -> Any:
    assert _worker_calculator is not None, "worker initialiser did not run"
    return function(item, _worker_calculator)


def map_with_calculator(
    reference: Reference,
    function: Callable[[Item, Calculator], Result],
    items: Sequence[Item],
    n_workers: int | None = None,
    what: str = "items evaluated",
) -> list[Result]:
    """Apply ``function(item, calculator)`` to every item, in parallel processes.

    Parameters
    ----------
    reference
        Builds the calculator in each worker.
    function
        A module-level (picklable) function of an item and a calculator.
    items
        Picklable inputs (ASE Atoms, pymatgen Structures, ...).
    n_workers
        Number of processes; default: the available cores, never more than the items.
        ``1`` runs in this process.
    what
        What the items are, for the live display (an ``items`` progress event,
        :mod:`phonogap.progress`, as each one finishes).

    Returns
    -------
    list
        Results in the order of ``items``.
    """
    if not items:
        return []
    total = len(items)
    report_progress("items", done=0, total=total, what=what)
    workers = min(n_workers or available_cores(), total)
    if workers <= 1:
        calculator = reference.calculator()
        results = []
        for item in items:
            results.append(function(item, calculator))
            report_progress("items", done=len(results), total=total, what=what)
        return results
    logger.info("evaluating %d items with %s on %d processes", total, reference.backend, workers)
    with _worker_pool(reference, workers) as pool:
        futures = [pool.submit(_call_in_worker, function, item) for item in items]
        for done, future in enumerate(as_completed(futures), start=1):
            if future.exception() is not None:
                break  # raised below, in item order
            report_progress("items", done=done, total=total, what=what)
        return [future.result() for future in futures]


def call_with_calculator(
    reference: Reference,
    function: Callable[[Item, Calculator], Result],
    item: Item,
    isolate: bool = True,
) -> Result:
    """Apply ``function(item, calculator)`` once, in a child process by default.

    For long runs with one calculator (molecular dynamics): quippy leaks memory on every
    calculation (see the module docstring), and the child takes the leak with it when it exits.

    Parameters
    ----------
    reference
        Builds the calculator (in the child).
    function
        A module-level (picklable) function of the item and a calculator.
    item
        Its picklable input.
    isolate
        ``False`` runs in this process.

    Returns
    -------
    Result
        What ``function`` returned (pickled back from the child).
    """
    if not isolate:
        return function(item, reference.calculator())
    with _worker_pool(reference, 1) as pool:
        return pool.submit(_call_in_worker, function, item).result()


def _worker_pool(reference: Reference, workers: int) -> ProcessPoolExecutor:
    """Forked processes, each with its own calculator built from ``reference``."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_init_worker,
        initargs=(reference, os.getpid()),
    )


def label_atoms(atoms: Atoms, calculator: Calculator) -> Atoms:
    """Compute reference energy, forces and (for periodic cells) virial of one configuration.

    Parameters
    ----------
    atoms
        The configuration; its ``info`` and ``arrays`` are kept.
    calculator
        The reference calculator.

    Returns
    -------
    Atoms
        A copy without calculator, with ``REF_energy`` (eV), ``REF_forces`` (eV/Å) and, for
        fully periodic cells, ``REF_virial`` (eV, ``-stress * volume``).
    """
    work = atoms.copy()
    work.calc = calculator
    energy = float(work.get_potential_energy())
    forces = np.array(work.get_forces())
    virial = None
    if all(work.pbc) and "stress" in calculator.implemented_properties:
        stress = work.get_stress(voigt=False)
        virial = -np.asarray(stress) * work.get_volume()
    labelled = atoms.copy()
    labelled.calc = None
    labelled.info[ENERGY_KEY] = energy
    labelled.arrays[FORCES_KEY] = forces
    if virial is not None:
        labelled.info[VIRIAL_KEY] = virial
    return labelled


def evaluate_configurations(
    reference: Reference, configurations: Sequence[Atoms], n_workers: int | None = None
) -> list[Atoms]:
    """Label configurations with a reference and check the labels are finite.

    Parameters
    ----------
    reference
        The reference backend.
    configurations
        Unlabelled (or to be relabelled) configurations.
    n_workers
        Processes to use (default: all available cores).

    Returns
    -------
    list of Atoms
        Labelled copies, in input order.

    Raises
    ------
    LabellingError
        If any energy, force or virial is NaN or infinite; names the configuration.
    """
    labelled = map_with_calculator(
        reference, label_atoms, list(configurations), n_workers, what=CONFIGURATIONS_LABELLED
    )
    for index, atoms in enumerate(labelled):
        check_finite_labels(atoms, index, reference.backend)
    return labelled


def check_finite_labels(atoms: Atoms, index: int, origin: str) -> None:
    """Raise if a labelled configuration holds NaN or infinite values.

    Parameters
    ----------
    atoms
        A labelled configuration.
    index
        Its position in the dataset (for the message).
    origin
        Where the labels came from (backend name or file).

    Raises
    ------
    LabellingError
        Naming the configuration, its source and config_type, and the bad field.
    """
    fields = {
        ENERGY_KEY: atoms.info.get(ENERGY_KEY),
        FORCES_KEY: atoms.arrays.get(FORCES_KEY),
        VIRIAL_KEY: atoms.info.get(VIRIAL_KEY),
    }
    for name, value in fields.items():
        if value is not None and not np.all(np.isfinite(value)):
            raise LabellingError(
                f"{origin}: configuration {index} (source {atoms.info.get(SOURCE_KEY, '?')}, "
                f"config_type {atoms.info.get(CONFIG_TYPE_KEY, '?')}) has non-finite {name}; "
                "check the reference calculation of that configuration (e.g. an SCF that did "
                "not converge or atoms too close) and rerun it"
            )
