"""The unlabelled training configurations of a set of structures (one database).

:func:`database_configurations` is what the ``build_database`` job runs on the relaxed
structures, and what ``phonogap plan`` runs on the input structures to count the reference
calculations and training atoms before anything is labelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from phonogap.database.displacements import single_displacement_supercells
from phonogap.database.isolated_atom import isolated_atom
from phonogap.database.randomised import randomised_supercells
from phonogap.database.settings import DatabaseSettings
from phonogap.database.supercells import minimum_length_supercell
from phonogap.phonons.supercell_guard import check_supercell_size

if TYPE_CHECKING:
    from ase import Atoms
    from pymatgen.core import Structure

__all__ = ["database_configurations"]


def database_configurations(
    structures: dict[str, Structure], settings: DatabaseSettings | None = None
) -> tuple[list[Atoms], list[dict[str, Any]]]:
    """Generate single-displacement and/or randomised supercells, and the isolated atoms.

    Parameters
    ----------
    structures
        Name to (relaxed) structure.
    settings
        Strategy, supercell sizes, displacement and randomisation.

    Returns
    -------
    tuple
        The unlabelled configurations, and each structure's phonon setup (a mapping with
        ``name`` and the fields of :class:`~phonogap.schemas.dataset.PhononSetup`).
    """
    settings = settings or DatabaseSettings()
    configurations: list[Atoms] = []
    setups = []
    for name, structure in structures.items():
        matrix = minimum_length_supercell(structure, settings.min_supercell_length_ang)
        _check_size(name, structure, matrix, settings, "phonopy")
        displaced, setup = single_displacement_supercells(
            structure, matrix, settings.displacement_ang, source=name
        )
        setups.append({"name": name, **setup})
        if settings.uses_single_displacements:
            configurations += displaced
        if settings.uses_randomised:
            matrix = (
                matrix
                if settings.randomised_min_length_ang is None
                else minimum_length_supercell(structure, settings.randomised_min_length_ang)
            )
            _check_size(name, structure, matrix, settings, "randomised")
            configurations += randomised_supercells(
                structure,
                matrix,
                count=settings.n_randomised,
                scale_range=settings.scale_range,
                rattle_std=settings.rattle_std_ang,
                seed=settings.seed,
                source=name,
            )
    if settings.include_isolated_atom:
        species = sorted({str(el) for s in structures.values() for el in s.elements})
        configurations += [isolated_atom(symbol) for symbol in species]
    return configurations, setups


def _check_size(
    name: str, structure: Structure, matrix: Any, settings: DatabaseSettings, kind: str
) -> None:
    """Refuse a supercell above ``settings.max_supercell_atoms`` before it is built."""
    check_supercell_size(
        name,
        len(structure),
        matrix,
        settings.max_supercell_atoms,
        "database.max_supercell_atoms",
        what=f"{kind} supercell",
    )
