"""Extend an existing (general-purpose) database with phonon supercells (the paper's Sec. IV).

The paper adds single-displacement and randomised supercells of the silicon allotropes to the
GAP-18 database and refits with 12,000 sparse points: 9,000 drawn from the old database with
GAP-18's own per-config_type split and 3,000 from the new configurations. Base config_types
keep their ``config_type_sigma``; new single displacements get the atom-wise sigmas of Eq. 8
(applied by the fit job); new randomised cells a fixed sigma. This module merges the two
databases and computes that split.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from phonogap.errors import PhonogapError
from phonogap.schemas.keys import CONFIG_TYPE_KEY, ISOLATED_ATOM, RANDOMISED, SINGLE_DISPLACEMENT

if TYPE_CHECKING:
    from ase import Atoms

logger = logging.getLogger(__name__)

NEW_CONFIG_TYPES = (SINGLE_DISPLACEMENT, RANDOMISED)
"""config_types the extension adds."""

RANDOMISED_SIGMA = (0.001, 0.1, 0.05, 0.0)
"""Fixed sigma of new randomised cells: GAP-18's crystalline (default) values."""


class DatabaseMergeError(PhonogapError, ValueError):
    """Raised when a base and an extension database cannot be merged as asked."""


def atoms_per_config_type(configurations: Iterable[Atoms]) -> dict[str, int]:
    """Count atoms per config_type (isolated atoms excluded: they carry no sparse points).

    Parameters
    ----------
    configurations
        Configurations with ``info["config_type"]``.

    Returns
    -------
    dict
        config_type to number of atoms, in order of first appearance.
    """
    counts: Counter[str] = Counter()
    for atoms in configurations:
        config_type = str(atoms.info.get(CONFIG_TYPE_KEY, "default"))
        if config_type != ISOLATED_ATOM:
            counts[config_type] += len(atoms)
    return dict(counts)


def proportional_split(weights: Mapping[str, float], total: int) -> dict[str, int]:
    """Split ``total`` sparse points over config_types in proportion to ``weights``.

    Largest-remainder rounding makes the counts sum to ``total`` exactly.

    Parameters
    ----------
    weights
        config_type to a non-negative weight (e.g. its number of atoms).
    total
        Sparse points to distribute (count).

    Returns
    -------
    dict
        config_type to count.
    """
    weight_sum = float(sum(weights.values()))
    if total < 0 or weight_sum <= 0:
        raise ValueError(f"cannot split {total} sparse points over weights {dict(weights)}")
    exact = {key: total * value / weight_sum for key, value in weights.items()}
    counts = {key: math.floor(value) for key, value in exact.items()}
    order = sorted(exact, key=lambda key: exact[key] - counts[key], reverse=True)
    for key in order[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def capped_split(
    requested: Mapping[str, int], available: Mapping[str, int], what: str
) -> dict[str, int]:
    """Cap each count at the atoms available and pass the excess to the other types.

    gap_fit cannot choose more sparse points of a config_type than it has atoms.

    Parameters
    ----------
    requested
        config_type to requested count.
    available
        config_type to number of atoms.
    what
        Name of the database (for messages).

    Returns
    -------
    dict
        config_type to count, same total when possible.

    Raises
    ------
    DatabaseMergeError
        If a requested config_type does not exist in the data.
    """
    missing = sorted(set(requested) - set(available))
    if missing:
        raise DatabaseMergeError(
            f"{what}: sparse split names config_types {missing} that the data do not have "
            f"(it has {sorted(available)}); fix the split or the config_type labels"
        )
    counts = {key: min(int(value), available[key]) for key, value in requested.items()}
    excess = sum(requested.values()) - sum(counts.values())
    while excess > 0:
        room = {key: available[key] - counts[key] for key in counts if available[key] > counts[key]}
        if not room:
            logger.warning(
                "%s: only %d atoms for the sparse points asked", what, sum(counts.values())
            )
            break
        extra = proportional_split(room, min(excess, sum(room.values())))
        for key, value in extra.items():
            counts[key] += min(value, room[key])
        excess = sum(requested.values()) - sum(counts.values())
    if counts != dict(requested):
        logger.info("%s: sparse split capped by available atoms: %s -> %s", what, requested, counts)
    return counts


def base_sparse_split(
    base: Sequence[Atoms], n_sparse: int, split: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Sparse points of the base database by config_type.

    Parameters
    ----------
    base
        The base configurations.
    n_sparse
        M_base, the total for the base database (count).
    split
        An explicit split (e.g. GAP-18's own), rescaled to ``n_sparse``; default: in
        proportion to the atoms of each config_type.

    Returns
    -------
    dict
        config_type to count, summing to ``n_sparse`` (unless the base has fewer atoms).
    """
    available = atoms_per_config_type(base)
    weights = dict(split) if split else available
    return capped_split(proportional_split(weights, n_sparse), available, "base database")


def merge_databases(base: Sequence[Atoms], new: Sequence[Atoms]) -> list[Atoms]:
    """Concatenate base and new configurations, keeping one isolated atom per element.

    Parameters
    ----------
    base
        The existing database (its config_types are kept).
    new
        The extension (``single_displacement``/``randomised``/``isolated_atom``).

    Returns
    -------
    list of Atoms
        Copies: base first, then new; the base's isolated atoms win.

    Raises
    ------
    DatabaseMergeError
        If the base already uses one of the extension's config_types, so their sigmas and
        sparse points could not be told apart.
    """
    base_types = set(atoms_per_config_type(base))
    clash = sorted(base_types & set(atoms_per_config_type(new)))
    if clash:
        raise DatabaseMergeError(
            f"the base database already has config_types {clash}, which the extension uses; "
            "rename them in the base (e.g. with the importer's config_type option)"
        )
    merged = [atoms.copy() for atoms in base]
    isolated = {atoms.get_chemical_formula() for atoms in base if _isolated(atoms)}
    for atoms in new:
        if _isolated(atoms):
            if atoms.get_chemical_formula() in isolated:
                continue
            isolated.add(atoms.get_chemical_formula())
        merged.append(atoms.copy())
    return merged


def extension_sparse_split(
    base: Sequence[Atoms],
    new: Sequence[Atoms],
    n_sparse_base: int,
    n_sparse_new: int,
    base_split: Mapping[str, int] | None = None,
    new_split: Mapping[str, int] | None = None,
    isolated_atom_points: int = 1,
) -> dict[str, int]:
    """Compute the full ``config_type_n_sparse`` of an extended fit.

    Parameters
    ----------
    base, new
        Base and extension configurations.
    n_sparse_base, n_sparse_new
        M_base and M_new (the paper: 9,000 and 3,000).
    base_split, new_split
        Explicit splits (rescaled to the totals); default: in proportion to atoms.
    isolated_atom_points
        Sparse points given to ``isolated_atom`` when the data hold one (on top of M_base
        and M_new): with none, its energy strains the fit (gap_fit.py measured the training
        force RMSE five times larger).

    Returns
    -------
    dict
        config_type to count over both databases.
    """
    split = base_sparse_split(base, n_sparse_base, base_split) if n_sparse_base else {}
    if n_sparse_new:
        available = atoms_per_config_type(new)
        weights = dict(new_split) if new_split else available
        split.update(
            capped_split(proportional_split(weights, n_sparse_new), available, "extension")
        )
    if isolated_atom_points and any(_isolated(a) for a in (*base, *new)):
        split[ISOLATED_ATOM] = isolated_atom_points
    return split


def _isolated(atoms: Atoms) -> bool:
    return atoms.info.get(CONFIG_TYPE_KEY) == ISOLATED_ATOM
