"""Energy and force errors of candidate potentials on labelled MD snapshots, per phase."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from phonogap.md.protocol import BENCHMARK_PHASES, PHASE_KEY
from phonogap.reference.evaluate import map_with_calculator
from phonogap.schemas.keys import ENERGY_KEY, FORCES_KEY

if TYPE_CHECKING:
    from ase import Atoms
    from ase.calculators.calculator import Calculator

    from phonogap.reference.base import Reference

logger = logging.getLogger(__name__)

N_LAST = 5
"""The paper averages the last five snapshots of each part."""


def energy_and_forces(atoms: Atoms, calculator: Calculator) -> tuple[float, np.ndarray]:
    """Evaluate one configuration (module level, so process pools can pickle it).

    Parameters
    ----------
    atoms
        The configuration.
    calculator
        The potential.

    Returns
    -------
    tuple
        Total energy (eV) and forces (eV/Å).
    """
    work = atoms.copy()
    work.calc = calculator
    return float(work.get_potential_energy()), np.array(work.get_forces())


def snapshot_errors(
    snapshots: Sequence[Atoms],
    potential: Reference,
    n_workers: int | None = None,
) -> list[dict[str, float | int | str]]:
    """Per-snapshot errors of one potential against the reference labels.

    Parameters
    ----------
    snapshots
        Labelled snapshots (``REF_energy``, ``REF_forces``, ``md_phase``).
    potential
        The candidate (a :class:`~phonogap.reference.gap.GapPotential` or any reference).
    n_workers
        Processes.

    Returns
    -------
    list of dict
        One row per snapshot: ``index``, ``phase``, ``md_step``, ``time_ps``,
        ``temperature_k``, ``energy_error_mev_per_atom`` (signed, potential − reference),
        ``force_rmse_ev_per_ang`` (RMS over all force components),
        ``reference_energy_ev_per_atom``.
    """
    predictions = map_with_calculator(potential, energy_and_forces, list(snapshots), n_workers)
    rows = []
    for index, (atoms, (energy, forces)) in enumerate(zip(snapshots, predictions, strict=True)):
        n_atoms = len(atoms)
        diff = forces - np.asarray(atoms.arrays[FORCES_KEY])
        rows.append(
            {
                "index": index,
                "phase": str(atoms.info.get(PHASE_KEY, "")),
                "md_step": int(atoms.info.get("md_step", index)),
                "time_ps": float(atoms.info.get("time_ps", 0.0)),
                "temperature_k": float(atoms.info.get("temperature_k", 0.0)),
                "energy_error_mev_per_atom": 1000.0
                * (energy - float(atoms.info[ENERGY_KEY]))
                / n_atoms,
                "force_rmse_ev_per_ang": float(np.sqrt(np.mean(diff**2))),
                "reference_energy_ev_per_atom": float(atoms.info[ENERGY_KEY]) / n_atoms,
            }
        )
    return rows


def phase_errors(
    rows: Sequence[Mapping[str, float | int | str]],
    phases: Sequence[str] = BENCHMARK_PHASES,
    n_last: int = N_LAST,
) -> dict[str, dict[str, float | int]]:
    """Average the last ``n_last`` snapshots of each phase (the paper's table).

    Parameters
    ----------
    rows
        Output of :func:`snapshot_errors` (in trajectory order).
    phases
        Phases to report.
    n_last
        Snapshots averaged per phase.

    Returns
    -------
    dict
        Phase to ``energy_mae_mev_per_atom`` (mean |ΔE|/N), ``energy_mean_mev_per_atom``
        (signed mean), ``force_rmse_ev_per_ang`` (mean of the per-snapshot RMS) and
        ``n_snapshots``; phases without snapshots are left out.
    """
    table: dict[str, dict[str, float | int]] = {}
    for phase in phases:
        selected = [row for row in rows if row["phase"] == phase][-n_last:]
        if not selected:
            continue
        energy = np.array([float(row["energy_error_mev_per_atom"]) for row in selected])
        force = np.array([float(row["force_rmse_ev_per_ang"]) for row in selected])
        table[phase] = {
            "energy_mae_mev_per_atom": float(np.mean(np.abs(energy))),
            "energy_mean_mev_per_atom": float(np.mean(energy)),
            "force_rmse_ev_per_ang": float(np.mean(force)),
            "n_snapshots": len(selected),
        }
    return table


def paired_force_changes(
    candidate: Sequence[Mapping[str, float | int | str]],
    base: Sequence[Mapping[str, float | int | str]],
    phases: Sequence[str] = BENCHMARK_PHASES,
    n_last: int = N_LAST,
) -> dict[str, dict[str, float | int | str]]:
    """Compare two potentials' force errors snapshot by snapshot, per phase.

    Both were evaluated on the same labelled snapshots, so the snapshot-to-snapshot spread
    (a liquid snapshot is harder than another) cancels in the ratio; what is left is the
    difference between the potentials, with a standard error over the snapshots.

    Parameters
    ----------
    candidate, base
        Outputs of :func:`snapshot_errors` for the same snapshots, in the same order.
    phases
        Phases to report.
    n_last
        Snapshots per phase (the last ones, as :func:`phase_errors`).

    Returns
    -------
    dict
        Phase to ``change_percent`` (mean of 100 (candidate / base − 1) of the per-snapshot
        force RMSE), ``standard_error_percent``, ``n_snapshots`` and ``verdict``:
        ``"worse"``/``"better"`` when the change is more than two standard errors from
        zero, else ``"same"``.

    Raises
    ------
    ValueError
        If the two lists are not the same snapshots.
    """
    if [row["index"] for row in candidate] != [row["index"] for row in base]:
        raise ValueError("paired_force_changes needs both potentials on the same snapshots")
    table: dict[str, dict[str, float | int | str]] = {}
    for phase in phases:
        pairs = [(c, b) for c, b in zip(candidate, base, strict=True) if c["phase"] == phase]
        pairs = pairs[-n_last:]
        if not pairs:
            continue
        change = np.array(
            [
                100.0 * (float(c["force_rmse_ev_per_ang"]) / float(b["force_rmse_ev_per_ang"]) - 1)
                for c, b in pairs
            ]
        )
        error = float(np.std(change, ddof=1) / np.sqrt(len(change))) if len(change) > 1 else 0.0
        mean = float(np.mean(change))
        verdict = "worse" if mean > 2 * error else "better" if mean < -2 * error else "same"
        table[phase] = {
            "change_percent": mean,
            "standard_error_percent": error,
            "n_snapshots": len(change),
            "verdict": verdict,
        }
    return table


def phase_diagnostics(
    snapshots: Sequence[Atoms],
    phases: Sequence[str] = BENCHMARK_PHASES,
    n_last: int = N_LAST,
    bond_cutoff_ang: float = 2.9,
) -> dict[str, dict[str, float]]:
    """Describe the state of each phase: temperature, density, coordination, mobility.

    Parameters
    ----------
    snapshots
        Snapshots of one trajectory, in order.
    phases
        Phases to describe.
    n_last
        Snapshots averaged per phase.
    bond_cutoff_ang
        Neighbour distance for the coordination number (Å; 2.9 Å for Si, between the first
        and second shells).

    Returns
    -------
    dict
        Phase to ``temperature_k``, ``density_g_cm3``, ``coordination`` (mean neighbours),
        ``rms_displacement_ang`` (from the starting lattice sites) and
        ``mobility_ang`` (RMS displacement between the first and last selected snapshot:
        large in a liquid, small in a solid).
    """
    from ase.neighborlist import neighbor_list

    table: dict[str, dict[str, float]] = {}
    for phase in phases:
        selected = [a for a in snapshots if a.info.get(PHASE_KEY) == phase][-n_last:]
        if not selected:
            continue
        coordination = [len(neighbor_list("i", a, bond_cutoff_ang)) / len(a) for a in selected]
        first, last = selected[0], selected[-1]
        step = (last.get_scaled_positions(wrap=False) - first.get_scaled_positions(wrap=False)) @ (
            np.asarray(last.cell)
        )
        table[phase] = {
            "temperature_k": float(np.mean([a.info["temperature_k"] for a in selected])),
            "density_g_cm3": float(np.mean([a.info["density_g_cm3"] for a in selected])),
            "coordination": float(np.mean(coordination)),
            "rms_displacement_ang": float(
                np.mean([a.info["rms_displacement_ang"] for a in selected])
            ),
            "mobility_ang": float(np.sqrt(np.mean(np.sum(step**2, axis=1)))),
        }
    return table
