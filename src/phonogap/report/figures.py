"""Application layer: figures of phonon benchmarks, kappa and scans.

Every figure of phonogap (also those of :mod:`~phonogap.report.figures_md`) is drawn on an
explicit matplotlib ``Figure`` from :func:`new_figure` and written by :func:`save_figure`.
No ``pyplot`` is used, so nothing leaks into a global figure state and the Agg backend is
used regardless of the session's default backend.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from phonogap.phonons.band_path import BandPath

__all__ = [
    "POTENTIAL_COLOR",
    "REFERENCE_COLOR",
    "new_figure",
    "plot_band_overlay",
    "plot_kappa",
    "plot_rms_bars",
    "plot_scan",
    "save_figure",
]

#: Line colour of the reference band structure.
REFERENCE_COLOR = "#1f77b4"
#: Line colour of the potential's band structure.
POTENTIAL_COLOR = "#d62728"


def new_figure(
    figsize: tuple[float, float], rows: int = 1, cols: int = 1
) -> tuple[Figure, np.ndarray]:
    """Create a figure with a grid of axes on the Agg canvas (no pyplot state).

    Parameters
    ----------
    figsize
        Width and height in inches.
    rows, cols
        Shape of the grid of axes.

    Returns
    -------
    tuple
        The figure and a ``(rows, cols)`` array of its axes.
    """
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig, fig.subplots(rows, cols, squeeze=False)


def save_figure(fig: Figure, out_png: str | os.PathLike, dpi: int = 150) -> Path:
    """Lay out and write a figure as PNG, creating parent directories.

    Parameters
    ----------
    fig
        The figure.
    out_png
        Output file.
    dpi
        Resolution.

    Returns
    -------
    Path
        The written file.
    """
    fig.tight_layout()
    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi)
    return out


def plot_band_overlay(
    path: BandPath,
    reference_thz: ArrayLike,
    potential_thz: ArrayLike,
    out_png: str | os.PathLike,
    *,
    title: str = "",
    labels: Sequence[str] = ("reference", "GAP"),
    dpi: int = 150,
) -> Path:
    """Draw two phonon band structures on top of each other and save a PNG.

    Parameters
    ----------
    path
        Band path; its distances are the x axis and its labels the ticks (Γ for GAMMA).
    reference_thz, potential_thz
        ``(path.n_qpoints, n_bands)`` frequencies in THz (e.g. from
        :func:`phonogap.phonons.comparison.compare_phonons`).
    out_png
        Output file; parent directories are created.
    title
        Figure title.
    labels
        Legend entries for reference and potential.
    dpi
        Resolution of the PNG.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    ValueError
        If the frequency arrays do not match the path.
    """
    ref = np.asarray(reference_thz, dtype=float)
    pot = np.asarray(potential_thz, dtype=float)
    for name, arr in (("reference_thz", ref), ("potential_thz", pot)):
        if arr.ndim != 2 or arr.shape[0] != path.n_qpoints:
            raise ValueError(
                f"{name} has shape {arr.shape}, expected ({path.n_qpoints}, n_bands) for this path"
            )
    fig, axes = new_figure((6.4, 4.2))
    ax = axes[0, 0]
    styles = (
        (ref, REFERENCE_COLOR, "-", labels[0]),
        (pot, POTENTIAL_COLOR, "--", labels[1]),
    )
    handles = []
    for freqs, color, style, label in styles:
        for sl in path.segment_slices():
            ax.plot(path.distances[sl], freqs[sl], color=color, linestyle=style, linewidth=1.0)
        handles.append(Line2D([], [], color=color, linestyle=style, label=label))
    positions, names = path.ticks()
    for x in positions[1:-1]:
        ax.axvline(x, color="0.6", linewidth=0.6)
    lowest = min(ref.min(), pot.min())
    if lowest < -1e-3:
        ax.axhline(0.0, color="0.4", linewidth=0.6, linestyle=":")
    ax.set_xticks(positions, names)
    ax.set_xlim(positions[0], positions[-1])
    ax.set_ylabel("Frequency (THz)")
    if title:
        ax.set_title(title)
    ax.legend(handles=handles, loc="best")
    return save_figure(fig, out_png, dpi)


def plot_rms_bars(
    rows: Sequence[Mapping[str, Any]],
    out_png: str | os.PathLike,
    *,
    title: str = "",
    dpi: int = 150,
) -> Path:
    """Bar chart of the phonon RMS error per structure, false instabilities marked.

    Parameters
    ----------
    rows
        One mapping per structure with ``rms_thz`` and ``name`` (``mp_id`` is used as the
        label when present) and optionally ``false_instability``.
    out_png
        Output file; parent directories are created.
    title
        Figure title.
    dpi
        Resolution of the PNG.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    ValueError
        If ``rows`` is empty.
    """
    if not rows:
        raise ValueError("no rows to plot")
    names = [str(row.get("mp_id") or row["name"]) for row in rows]
    rms = np.array([float(row["rms_thz"]) for row in rows])
    unstable = [bool(row.get("false_instability", False)) for row in rows]
    fig, axes = new_figure((max(4.0, 0.45 * len(rows) + 1.5), 3.8))
    ax = axes[0, 0]
    colors = [POTENTIAL_COLOR if flag else REFERENCE_COLOR for flag in unstable]
    ax.bar(np.arange(len(rows)), rms, color=colors)
    for x, (value, flag) in enumerate(zip(rms, unstable, strict=True)):
        if flag:
            ax.annotate("unstable", (x, value), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(np.arange(len(rows)), names, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("Phonon RMS error (THz)")
    ax.margins(y=0.12)
    if any(unstable):
        ax.legend(
            handles=[
                Line2D([], [], color=REFERENCE_COLOR, linewidth=6, label="stable"),
                Line2D([], [], color=POTENTIAL_COLOR, linewidth=6, label="falsely unstable"),
            ],
            loc="best",
        )
    if title:
        ax.set_title(title)
    return save_figure(fig, out_png, dpi)


def plot_kappa(
    rows: Sequence[dict], out_png: str | Path, *, title: str = "", dpi: int = 150
) -> Path:
    """Plot lattice thermal conductivity against temperature, one line per calculation.

    Parameters
    ----------
    rows
        Kappa rows (``name``, ``temperatures_k``, ``kappa_w_per_mk``), e.g. the ``kappa`` field
        of a benchmark summary; names ending in ``reference`` are drawn solid, others dashed.
    out_png
        Output file.
    title
        Figure title.
    dpi
        Resolution.

    Returns
    -------
    Path
        The written file.
    """
    fig, axes = new_figure((6.0, 4.0))
    ax = axes[0, 0]
    for row in rows:
        style = "-" if row["name"].endswith("reference") else "--"
        ax.plot(row["temperatures_k"], row["kappa_w_per_mk"], style, marker="o", label=row["name"])
    ax.set_xlabel("Temperature (K)")
    ax.set_ylabel("κ (W/m K), mean of diagonal")
    ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.legend()
    return save_figure(fig, out_png, dpi)


def plot_scan(
    rows: Sequence[Mapping[str, Any]],
    parameter: str,
    out_png: str | Path,
    *,
    title: str = "",
    dpi: int = 150,
) -> Path:
    """Plot phonon RMS against the scanned parameter (f or M), one line per structure.

    Both axes are logarithmic (f and M span decades, RMS errors too). Lines are solid for
    training sets of single displacements only and dashed with randomised supercells; a red
    cross marks a false instability; the thick black line is the median over structures.

    Parameters
    ----------
    rows
        The ``rows`` of a scan summary: variant fields (``f``, ``n_sparse``,
        ``with_randomised``) plus a benchmark row (``name``, ``mp_id``, ``rms_thz``,
        ``false_instability``).
    parameter
        ``"f"`` or ``"n_sparse"``.
    out_png
        Output file.
    title
        Figure title.
    dpi
        Resolution.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ValueError
        If no row has a numeric value of the parameter.
    """
    usable = [row for row in rows if row.get(parameter) is not None]
    if not usable:
        raise ValueError(f"no scan rows with a value of {parameter!r} to plot")
    fig, axes = new_figure((8.0, 4.4))
    ax = axes[0, 0]
    training_sets = sorted({bool(row["with_randomised"]) for row in usable})
    names = sorted({str(row.get("mp_id") or row["name"]) for row in usable})
    for randomised in training_sets:
        subset = [row for row in usable if bool(row["with_randomised"]) == randomised]
        style = "--" if randomised else "-"
        for index, name in enumerate(names):
            points = sorted(
                (float(row[parameter]), float(row["rms_thz"]), bool(row["false_instability"]))
                for row in subset
                if str(row.get("mp_id") or row["name"]) == name
            )
            if not points:
                continue
            x, y, unstable = (np.array(values) for values in zip(*points, strict=True))
            label = name if randomised == training_sets[0] else None
            color = colormaps["tab20"](index % 20)  # 13 allotropes need > 10 colours
            ax.plot(x, y, style, marker="o", color=color, linewidth=1, label=label)
            ax.plot(x[unstable], y[unstable], "x", color=POTENTIAL_COLOR, markersize=10, zorder=5)
        values = sorted({float(row[parameter]) for row in subset})
        medians = [
            float(np.median([r["rms_thz"] for r in subset if float(r[parameter]) == v]))
            for v in values
        ]
        median_label = "median" + (" (+randomised)" if randomised else "")
        ax.plot(values, medians, style, color="black", linewidth=2.5, label=median_label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("f (Eq. 8)" if parameter == "f" else "M (sparse points)")
    ax.set_ylabel("Phonon RMS error (THz)")
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], linestyle="", marker="x", color=POTENTIAL_COLOR))
    labels.append("falsely unstable")
    # outside the axes, so the legend never hides a point or a false-instability cross
    ax.legend(handles, labels, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if title:
        ax.set_title(title)
    return save_figure(fig, out_png, dpi)
