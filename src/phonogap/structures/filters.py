"""Filters that decide which candidate structures enter the database.

The paper keeps only structures that did not change significantly when relaxed with
the reference, judged with pymatgen's ``StructureMatcher(ltol=0.1, stol=0.1,
angle_tol=3)``, tighter than its defaults (0.2, 0.3, 5). Every other matcher setting
keeps its default; in particular ``scale=True``, so a uniform change of volume alone
does not drop a structure (the volume change is reported in the reason either way).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Structure

from phonogap.schemas.structures import DroppedStructure

logger = logging.getLogger(__name__)


def filter_unchanged_by_relaxation(
    initial: Mapping[str, Structure],
    relaxed: Mapping[str, Structure],
    ltol: float = 0.1,
    stol: float = 0.1,
    angle_tol: float = 3.0,
) -> tuple[list[str], list[DroppedStructure]]:
    """Keep the structures that relaxation left essentially unchanged.

    Parameters
    ----------
    initial
        Name to structure before relaxation.
    relaxed
        Name to structure after relaxation. A name of ``initial`` missing here is
        dropped (no relaxed structure); names not in ``initial`` are an error.
    ltol, stol, angle_tol
        ``StructureMatcher`` fractional length tolerance, site tolerance and angle
        tolerance (degrees); the paper's values are the defaults.

    Returns
    -------
    kept : list of str
        Names that match their relaxed structure, in the order of ``initial``.
    dropped : list of DroppedStructure
        The others with the reason (tolerances, volume per atom before and after, and
        the matcher's normalised RMS and maximum site displacement when the lattices
        still match; a structure fails when the maximum exceeds ``stol``), in the order
        of ``initial``.

    Raises
    ------
    ValueError
        If ``relaxed`` holds names that are not in ``initial``.
    """
    extra = [name for name in relaxed if name not in initial]
    if extra:
        raise ValueError(
            f"relaxed structures {extra} have no initial structure; pass both dicts with "
            "the same names"
        )
    matcher = StructureMatcher(ltol=ltol, stol=stol, angle_tol=angle_tol)
    settings = f"StructureMatcher ltol={ltol:g}, stol={stol:g}, angle_tol={angle_tol:g}"
    kept: list[str] = []
    dropped: list[DroppedStructure] = []
    for name, before in initial.items():
        after = relaxed.get(name)
        if after is None:
            dropped.append(
                DroppedStructure(name=name, reason="no relaxed structure (relaxation missing)")
            )
            continue
        v0 = before.volume / len(before)
        v1 = after.volume / len(after)
        change = f"volume {v0:.3f} -> {v1:.3f} Å^3/atom ({100 * (v1 / v0 - 1):+.1f}%)"
        if matcher.fit(before, after):
            kept.append(name)
            logger.debug("%s unchanged by relaxation (%s)", name, change)
            continue
        # the matcher only reports displacements below stol: ask a loose one for numbers
        loose = StructureMatcher(ltol=ltol, stol=1.0, angle_tol=angle_tol)
        rms = loose.get_rms_dist(before, after)
        detail = (
            ", no lattice mapping within ltol/angle_tol"
            if rms is None
            else f", normalised site displacement RMS {rms[0]:.3f}, max {rms[1]:.3f}"
        )
        if before.composition.reduced_composition != after.composition.reduced_composition:
            detail += f", composition {before.formula} -> {after.formula}"
        reason = f"changed during relaxation ({settings}): {change}{detail}"
        dropped.append(DroppedStructure(name=name, reason=reason))
        logger.info("dropping %s: %s", name, reason)
    return kept, dropped


def filter_max_atoms(
    structures: Mapping[str, Structure], max_atoms: int
) -> tuple[list[str], list[DroppedStructure]]:
    """Keep the structures with at most ``max_atoms`` atoms in their cell.

    Parameters
    ----------
    structures
        Name to structure.
    max_atoms
        Largest number of atoms kept.

    Returns
    -------
    kept : list of str
        Names of the structures small enough, in input order.
    dropped : list of DroppedStructure
        The others, the reason naming the atom count and the limit, in input order.

    Raises
    ------
    ValueError
        If ``max_atoms`` is not positive.
    """
    if max_atoms < 1:
        raise ValueError(f"max_atoms must be a positive integer, got {max_atoms}")
    kept: list[str] = []
    dropped: list[DroppedStructure] = []
    for name, structure in structures.items():
        if len(structure) <= max_atoms:
            kept.append(name)
        else:
            reason = f"{len(structure)} atoms in the cell, more than max_atoms={max_atoms}"
            dropped.append(DroppedStructure(name=name, reason=reason))
            logger.info("dropping %s: %s", name, reason)
    return kept, dropped
