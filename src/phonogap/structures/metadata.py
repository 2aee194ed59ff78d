"""Metadata that tags a structure's jobs, so its documents and Fireworks can be found again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pymatgen.core import Structure


def structure_metadata(
    campaign: str, structures: dict[str, Structure], mp_ids: dict[str, str] | None = None
) -> dict[str, Any]:
    """Build the metadata that lets users find a flow again.

    Parameters
    ----------
    campaign
        Campaign (or run) name.
    structures
        Name to structure of the flow.
    mp_ids
        Name to Materials Project id where known.

    Returns
    -------
    dict
        ``campaign``; for one structure ``structure``, ``formula`` and ``mp_id``; for several
        ``structures``, ``formulas`` and ``mp_ids`` (lists).
    """
    mp_ids = mp_ids or {}
    names = sorted(structures)
    if len(names) == 1:
        (name,) = names
        return {
            "campaign": campaign,
            "structure": name,
            "formula": structures[name].composition.reduced_formula,
            "mp_id": mp_ids.get(name),
        }
    return {
        "campaign": campaign,
        "structures": names,
        "formulas": sorted({s.composition.reduced_formula for s in structures.values()}),
        "mp_ids": sorted({mp_ids[n] for n in names if n in mp_ids}),
    }
