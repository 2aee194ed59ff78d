"""Stop a relaxation that leaves a sane window of volume and interatomic distance.

A potential without a minimum near the structure (typically a GAP fitted to forces only, which
says nothing about the equilibrium volume) can pull the cell to a tiny fraction of its volume.
Every later step then gets dearer: at 0.015 Å³/atom a 5 Å cutoff holds ~35,000 neighbours
per atom, and the phonon calculation that follows the relaxation grew to 24 GB before the
kernel killed it. :class:`RelaxGuard` is an ASE optimiser observer, called after every step,
that raises :class:`RelaxationCollapsedError` as soon as

* the volume per atom leaves ``[min_volume_ratio, max_volume_ratio]`` times the starting one
  (default ×0.5–×2), or
* two atoms (or an atom and its periodic image) come closer than ``min_distance_ang``
  (default 0.5 Å).

The message names the structure, the volume change (e.g. ``20.4 → 0.015 Å³/atom``), the
shortest distance and the likely cause given by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from phonogap.errors import PhonogapError

if TYPE_CHECKING:
    from ase import Atoms

__all__ = [
    "DEFAULT_CAUSE",
    "RelaxGuard",
    "RelaxationCollapsedError",
    "min_interatomic_distance",
]

DEFAULT_CAUSE = (
    "the calculator has no energy minimum near this structure (a potential not trained on "
    "cells like it, or a structure the reference cannot describe)"
)
"""Likely cause named when the caller knows nothing more specific."""


class RelaxationCollapsedError(PhonogapError, RuntimeError):
    """A relaxation left the sane window of volume or interatomic distance.

    The message names the structure, the volume change, the shortest distance, the window
    (``relax`` settings ``min_volume_ratio``, ``max_volume_ratio``, ``min_distance_ang``) and
    the likely cause.
    """


def min_interatomic_distance(atoms: Atoms, cutoff: float) -> float:
    """Return the shortest distance between two atoms (periodic images included) below a cutoff.

    Parameters
    ----------
    atoms
        The configuration (periodic or not).
    cutoff
        Only pairs closer than this are searched (Å), which keeps the search cheap.

    Returns
    -------
    float
        The shortest distance (Å), or ``inf`` if no pair is closer than ``cutoff``.
    """
    from ase.neighborlist import neighbor_list

    distances = neighbor_list("d", atoms, float(cutoff), self_interaction=False)
    return float(distances.min()) if len(distances) else float("inf")


@dataclass(frozen=True)
class RelaxGuard:
    """The window a relaxation must stay in, and what to say when it leaves it.

    Attributes
    ----------
    min_volume_ratio, max_volume_ratio
        Allowed volume per atom relative to the start of the relaxation.
    min_distance_ang
        Smallest allowed interatomic distance (Å).
    name
        Structure name used in the message.
    likely_cause
        Sentence appended as the likely cause (default :data:`DEFAULT_CAUSE`).
    """

    min_volume_ratio: float = 0.5
    max_volume_ratio: float = 2.0
    min_distance_ang: float = 0.5
    name: str = ""
    likely_cause: str | None = None

    def __post_init__(self) -> None:
        if not 0 < self.min_volume_ratio < 1 < self.max_volume_ratio:
            raise ValueError(
                f"volume ratio window {self.min_volume_ratio:g} to {self.max_volume_ratio:g} "
                "must satisfy 0 < min_volume_ratio < 1 < max_volume_ratio"
            )
        if self.min_distance_ang < 0:
            raise ValueError(f"min_distance_ang must be >= 0, got {self.min_distance_ang}")

    def observer(self, atoms: Atoms, optimizer: object, label: str = "optimiser"):
        """Return a callable for ``optimizer.attach`` that checks ``atoms`` after each step.

        Parameters
        ----------
        atoms
            The atoms being relaxed (the unfiltered ``Atoms``; the starting volume is read
            now).
        optimizer
            The ASE optimiser (its ``nsteps`` goes into the message).
        label
            Optimiser name for the message, e.g. ``"BFGS"``.

        Returns
        -------
        callable
            Raises :class:`RelaxationCollapsedError` when the window is left.
        """
        start = atoms.get_volume() / len(atoms)

        def check() -> None:
            self.check(atoms, start, int(getattr(optimizer, "nsteps", 0)), label)

        return check

    def violation(
        self, initial: Atoms, final: Atoms, n_steps: int = 0, label: str = ""
    ) -> str | None:
        """Check a finished relaxation (e.g. atomate2's) against the window, after the fact.

        Parameters
        ----------
        initial, final
            The structure before and after the relaxation.
        n_steps
            Steps the relaxation took (for the message).
        label
            What relaxed it (for the message), e.g. ``"atomate2 relax"``.

        Returns
        -------
        str or None
            The message :meth:`check` would raise (saying that the relaxation ended there
            rather than was stopped), or ``None`` inside the window.
        """
        try:
            self.check(final, initial.get_volume() / len(initial), n_steps, label)
        except RelaxationCollapsedError as error:
            return str(error).replace(", stopped after ", " in ", 1)
        return None

    def check(self, atoms: Atoms, start_volume: float, n_steps: int = 0, label: str = "") -> None:
        """Raise if ``atoms`` are outside the window.

        Parameters
        ----------
        atoms
            The current configuration.
        start_volume
            Volume per atom at the start of the relaxation (Å³).
        n_steps
            Steps taken so far (for the message).
        label
            Optimiser name (for the message).

        Raises
        ------
        RelaxationCollapsedError
            With the structure, the volume change, the shortest distance and the cause.
        """
        volume = atoms.get_volume() / len(atoms)
        ratio = volume / start_volume
        shortest = min_interatomic_distance(atoms, self.min_distance_ang)
        volume_ok = self.min_volume_ratio <= ratio <= self.max_volume_ratio
        if volume_ok and shortest >= self.min_distance_ang:
            return
        raise RelaxationCollapsedError(
            self.message(atoms, start_volume, volume, shortest, n_steps, label)
        )

    def message(
        self,
        atoms: Atoms,
        start_volume: float,
        volume: float,
        shortest: float,
        n_steps: int,
        label: str,
    ) -> str:
        """Build the one-paragraph error message (see :meth:`check`).

        Parameters
        ----------
        atoms
            The current configuration.
        start_volume, volume
            Volume per atom at the start and now (Å³).
        shortest
            Shortest interatomic distance found (``inf``: none below ``min_distance_ang``).
        n_steps
            Steps taken.
        label
            Optimiser name.

        Returns
        -------
        str
            The message.
        """
        name = self.name or atoms.get_chemical_formula(mode="reduce")
        what = "expanded" if volume > self.max_volume_ratio * start_volume else "collapsed"
        steps = f"{n_steps} {label} steps".replace("  ", " ").strip()
        if not np.isfinite(shortest):  # only pairs below the threshold were searched
            shortest = min_interatomic_distance(atoms, 2.5 * volume ** (1 / 3))
        return (
            f"relaxation of {name} ({len(atoms)} atoms) {what}, stopped after {steps}: "
            f"volume {_volume(start_volume)} → {_volume(volume)} Å³/atom "
            f"(ratio {volume / start_volume:.3g}, allowed {self.min_volume_ratio:g} to "
            f"{self.max_volume_ratio:g}), shortest interatomic distance {shortest:.3g} Å "
            f"(allowed ≥ {self.min_distance_ang:g} Å). "
            f"Likely cause: {self.likely_cause or DEFAULT_CAUSE}. The window is set by the "
            "relax settings min_volume_ratio, max_volume_ratio and min_distance_ang."
        )


def _volume(value: float) -> str:
    """Format a volume per atom: one decimal from 10 Å³ up, three significant digits below."""
    return f"{value:.1f}" if value >= 10 else f"{value:.3g}"
