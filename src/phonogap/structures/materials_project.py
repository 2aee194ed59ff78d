"""Structures from the Materials Project by id (online, with an API key)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from phonogap.errors import PhonogapError

if TYPE_CHECKING:
    from pymatgen.core import Structure

API_KEY_VARIABLE = "MP_API_KEY"


class MaterialsProjectError(PhonogapError, RuntimeError):
    """Raised when Materials Project structures cannot be fetched."""


def structures_from_materials_project(
    mp_ids: list[str], api_key: str | None = None
) -> dict[str, Structure]:
    """Download structures by Materials Project id with ``mp_api``.

    Parameters
    ----------
    mp_ids
        e.g. ``["mp-149", "mp-165"]``.
    api_key
        Materials Project API key; default ``$MP_API_KEY``.

    Returns
    -------
    dict
        mp id to structure (named by the id).

    Raises
    ------
    MaterialsProjectError
        If ``mp_api`` is missing, no key is set, or an id is not found.
    """
    api_key = api_key or os.environ.get(API_KEY_VARIABLE)
    if not api_key:
        raise MaterialsProjectError(
            f"structures.materials_project needs an API key: set {API_KEY_VARIABLE} "
            "(https://next-gen.materialsproject.org/api), or list structure files instead"
        )
    try:
        from mp_api.client import MPRester
    except ImportError as exc:
        raise MaterialsProjectError(
            "structures.materials_project needs mp-api: python3 -m pip install mp-api"
        ) from exc
    with MPRester(api_key) as rester:
        structures = {mp_id: rester.get_structure_by_material_id(mp_id) for mp_id in mp_ids}
    missing = [mp_id for mp_id, structure in structures.items() if structure is None]
    if missing:
        raise MaterialsProjectError(f"Materials Project has no structure for {missing}")
    return structures
