"""The 13 dynamically stable silicon allotropes of the paper, bundled as package data.

The unit cells are the DFT (CASTEP) cells of the phonon datasets of George et al.,
J. Chem. Phys. 153, 044104 (2020), from JaGeo/Phonons_GAPs_silicon @ be12e0d
(BSD-3-Clause; the licence is shipped beside the files). ``provenance.json`` in
``phonogap/data/allotropes/`` records, per structure, the Materials Project id, the
index in the upstream dataset, the space group, the DFT phonon supercell matrix, the
number of DFT displacements and a SHA-256 of the POSCAR.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from pymatgen.core import Structure

from phonogap.errors import PhonogapError

logger = logging.getLogger(__name__)

SupercellMatrix = tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]


class UnknownAllotropeError(PhonogapError, KeyError):
    """Raised when a silicon allotrope id is not among the bundled ones."""


@dataclass(frozen=True)
class Allotrope:
    """One bundled silicon allotrope.

    Attributes
    ----------
    mp_id
        Materials Project id, e.g. ``"mp-149"``.
    name
        Common name where one is established (``"diamond"``, ``"BC8"``,
        ``"clathrate-I (Si46)"`` ...), otherwise the Materials Project id.
    structure
        The DFT unit cell (a fresh copy on every :func:`silicon_allotropes` call).
    space_group
        Hermann-Mauguin symbol, e.g. ``"Fd-3m"``.
    dft_supercell_matrix
        Supercell matrix of the paper's DFT phonon calculation (rows, integers).
    refdata_index
        Index of the structure in the upstream phonopy dataset
        (``phonogap/data/george2020_castep_phonons/phonopy_yaml/<index>_phonopy.yaml``).
    """

    mp_id: str
    name: str
    structure: Structure
    space_group: str
    dft_supercell_matrix: SupercellMatrix
    refdata_index: int


def _data_dir() -> Traversable:
    return files("phonogap").joinpath("data", "allotropes")


@cache
def allotrope_provenance() -> dict[str, Any]:
    """Return the provenance record of the bundled allotropes.

    Returns
    -------
    dict
        Contents of ``provenance.json``: source repository, commit, licence and one
        entry per allotrope (in the paper's order) under ``"allotropes"``.
    """
    return json.loads(_data_dir().joinpath("provenance.json").read_text())


def allotrope_ids() -> list[str]:
    """Materials Project ids of the bundled allotropes, in the paper's order.

    Returns
    -------
    list of str
        The 13 ids, diamond (mp-149) first.
    """
    return [entry["mp_id"] for entry in allotrope_provenance()["allotropes"]]


def silicon_allotropes(mp_ids: Sequence[str] | None = None) -> list[Allotrope]:
    """Load bundled silicon allotropes.

    Parameters
    ----------
    mp_ids
        Materials Project ids to load, in the order wanted; None loads all 13 in the
        paper's order (mp-149, mp-165, mp-168, mp-571520, mp-1095269, mp-971662,
        mp-16220, mp-1072544, mp-1079297, mp-1200830, mp-1203790, mp-971661, mp-999200).

    Returns
    -------
    list of Allotrope
        One entry per requested id.

    Raises
    ------
    UnknownAllotropeError
        If an id is not bundled; the message lists the valid ids.
    """
    from pymatgen.io.vasp import Poscar

    entries = {entry["mp_id"]: entry for entry in allotrope_provenance()["allotropes"]}
    if isinstance(mp_ids, str):
        mp_ids = [mp_ids]
    wanted = list(entries) if mp_ids is None else list(mp_ids)
    unknown = [mp_id for mp_id in wanted if mp_id not in entries]
    if unknown:
        raise UnknownAllotropeError(
            f"unknown silicon allotrope id(s) {unknown}; valid ids: {', '.join(entries)}"
        )
    allotropes = []
    for mp_id in wanted:
        entry = entries[mp_id]
        text = _data_dir().joinpath(entry["file"]).read_text()
        structure = Poscar.from_str(text).structure
        allotropes.append(
            Allotrope(
                mp_id=mp_id,
                name=entry["common_name"] or mp_id,
                structure=structure,
                space_group=entry["space_group"],
                dft_supercell_matrix=tuple(
                    tuple(int(x) for x in row) for row in entry["dft_supercell_matrix"]
                ),
                refdata_index=int(entry["refdata_index"]),
            )
        )
    logger.debug("loaded %d bundled silicon allotropes", len(allotropes))
    return allotropes
