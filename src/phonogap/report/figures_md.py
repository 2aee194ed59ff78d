"""Application layer: figures of the transferability benchmarks.

Melt–quench errors along the trajectory and per phase, and base-vs-extended phonon errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from phonogap.md.protocol import BENCHMARK_PHASES
from phonogap.report.figures import new_figure, save_figure

__all__ = [
    "plot_melt_quench_errors",
    "plot_melt_quench_thermo",
    "plot_phase_errors",
    "plot_rms_comparison",
]

_PHASE_COLORS = {"defective_crystal": "#e8f0fa", "liquid": "#fbe9e7", "amorphous": "#eef7ec"}


def _shade_phases(ax: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Shade the time span of each reported phase."""
    for phase in BENCHMARK_PHASES:
        times = [float(r["time_ps"]) for r in rows if r["phase"] == phase]
        if times:
            ax.axvspan(min(times), max(times), color=_PHASE_COLORS[phase], zorder=0)


def plot_melt_quench_errors(
    snapshot_errors: Mapping[str, Sequence[Mapping[str, Any]]],
    out_png: str | Path,
    title: str = "melt-quench",
) -> Path:
    """Plot the energy and force errors of every potential along the melt–quench trajectory.

    Parameters
    ----------
    snapshot_errors
        Potential name to per-snapshot rows (``time_ps``, ``phase``,
        ``energy_error_mev_per_atom``, ``force_rmse_ev_per_ang``).
    out_png
        Output file.
    title
        Figure title.

    Returns
    -------
    Path
        The written file.
    """
    fig, axes = new_figure((7.0, 5.5), rows=2)
    energy_ax, force_ax = axes[0, 0], axes[1, 0]
    first = next(iter(snapshot_errors.values()))
    for ax in (energy_ax, force_ax):
        _shade_phases(ax, first)
    for name, rows in snapshot_errors.items():
        times = [float(r["time_ps"]) for r in rows]
        energy_ax.plot(
            times,
            [abs(float(r["energy_error_mev_per_atom"])) for r in rows],
            "o-",
            ms=3,
            label=name,
        )
        force_ax.plot(times, [float(r["force_rmse_ev_per_ang"]) for r in rows], "o-", ms=3)
    energy_ax.set_ylabel("|energy error| (meV/atom)")
    energy_ax.set_yscale("log")
    force_ax.set_ylabel("force RMSE (eV/Å)")
    force_ax.set_xlabel("time (ps)")
    energy_ax.set_title(f"{title} (shaded: defective crystal, liquid, amorphous)")
    energy_ax.legend(fontsize=8)
    return save_figure(fig, out_png)


def plot_melt_quench_thermo(thermo: Mapping[str, Sequence[Any]], out_png: str | Path) -> Path:
    """Plot temperature and density along the melt–quench run.

    Parameters
    ----------
    thermo
        Columns ``time_ps``, ``temperature_k``, ``target_temperature_k``, ``density_g_cm3``.
    out_png
        Output file.

    Returns
    -------
    Path
        The written file.
    """
    fig, axes = new_figure((7.0, 4.5), rows=2)
    time_ps = np.asarray(thermo["time_ps"], dtype=float)
    axes[0, 0].plot(time_ps, thermo["temperature_k"], lw=0.8, label="instantaneous")
    axes[0, 0].plot(time_ps, thermo["target_temperature_k"], "k--", lw=1, label="target")
    axes[0, 0].set_ylabel("T (K)")
    axes[0, 0].legend(fontsize=8)
    axes[1, 0].plot(time_ps, thermo["density_g_cm3"], lw=0.8)
    axes[1, 0].set_ylabel("density (g/cm³)")
    axes[1, 0].set_xlabel("time (ps)")
    return save_figure(fig, out_png)


def plot_rms_comparison(
    rms_by_potential: Mapping[str, Mapping[str, float]],
    out_png: str | Path,
    title: str = "phonon RMS error",
    target_thz: float | None = 0.1,
) -> Path:
    """Draw grouped bars of the phonon RMS error per structure, one bar per potential.

    Parameters
    ----------
    rms_by_potential
        Potential name to structure name to RMS (THz).
    out_png
        Output file.
    title
        Figure title.
    target_thz
        Draw a horizontal target line (None: none).

    Returns
    -------
    Path
        The written file.
    """
    names = sorted({s for values in rms_by_potential.values() for s in values})
    fig, axes = new_figure((max(6.0, 0.6 * len(names) * len(rms_by_potential)), 4.0))
    ax = axes[0, 0]
    width = 0.8 / max(len(rms_by_potential), 1)
    x = np.arange(len(names))
    for i, (potential, values) in enumerate(rms_by_potential.items()):
        heights = [values.get(name, np.nan) for name in names]
        ax.bar(x + (i - (len(rms_by_potential) - 1) / 2) * width, heights, width, label=potential)
    if target_thz is not None:
        ax.axhline(target_thz, color="k", ls="--", lw=1)
    ax.set_xticks(x, names, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("RMS error (THz)")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return save_figure(fig, out_png)


def plot_phase_errors(
    phase_errors: Mapping[str, Mapping[str, Mapping[str, float]]],
    out_png: str | Path,
    title: str = "melt-quench errors (last five snapshots per phase)",
) -> Path:
    """Draw the per-phase table as bars: energy and force error per phase and potential.

    Parameters
    ----------
    phase_errors
        Potential name to phase to ``energy_mae_mev_per_atom`` and ``force_rmse_ev_per_ang``.
    out_png
        Output file.
    title
        Figure title.

    Returns
    -------
    Path
        The written file.
    """
    fig, axes = new_figure((9.0, 3.8), cols=2)
    phases = [p for p in BENCHMARK_PHASES if any(p in v for v in phase_errors.values())]
    x = np.arange(len(phases))
    width = 0.8 / max(len(phase_errors), 1)
    for ax, key, label in (
        (axes[0, 0], "energy_mae_mev_per_atom", "energy error (meV/atom)"),
        (axes[0, 1], "force_rmse_ev_per_ang", "force RMSE (eV/Å)"),
    ):
        for i, (name, errors) in enumerate(phase_errors.items()):
            heights = [errors.get(p, {}).get(key, np.nan) for p in phases]
            offset = (i - (len(phase_errors) - 1) / 2) * width
            ax.bar(x + offset, heights, width, label=name)
        ax.set_xticks(x, [p.replace("_", " ") for p in phases])
        ax.set_ylabel(label)
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(title)
    return save_figure(fig, out_png)
