"""Read crystal structures from files and check that they are usable.

Supported formats, chosen by file name:

- CIF (``*.cif``),
- VASP POSCAR/CONTCAR (``POSCAR*``, ``CONTCAR*``, ``*.vasp``, ``*.poscar``),
- pymatgen JSON (``*.json``: the output of ``Structure.as_dict()``),
- extended XYZ (``*.xyz``, ``*.extxyz``: one periodic frame).

Every structure is validated before it is returned: it must be ordered, non-empty,
have finite coordinates and a cell of positive volume, and no two atoms (including
periodic images) may be closer than :data:`MIN_DISTANCE_ANG`.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from pymatgen.core import Structure

from phonogap.errors import PhonogapError

logger = logging.getLogger(__name__)

MIN_DISTANCE_ANG = 0.5
"""Closest allowed distance between two atoms (Å); closer pairs are input errors."""

SUPPORTED_FORMATS = "CIF (*.cif), POSCAR/CONTCAR (*.vasp), pymatgen JSON (*.json) or extxyz"

_POSCAR_SUFFIXES = {".vasp", ".poscar"}
_XYZ_SUFFIXES = {".xyz", ".extxyz"}


class StructureInputError(PhonogapError, ValueError):
    """A structure file that cannot be read or holds an unusable structure."""


def structure_format(path: str | Path) -> str | None:
    """Guess the format of a structure file from its name.

    Parameters
    ----------
    path
        File path.

    Returns
    -------
    str or None
        ``"cif"``, ``"poscar"``, ``"json"``, ``"extxyz"``, or None if the name is not
        recognised.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    name = path.name.upper()
    if suffix == ".cif":
        return "cif"
    if suffix in _POSCAR_SUFFIXES or name.startswith(("POSCAR", "CONTCAR")):
        return "poscar"
    if suffix == ".json":
        return "json"
    if suffix in _XYZ_SUFFIXES:
        return "extxyz"
    return None


def load_structure(path: str | Path) -> Structure:
    """Read one structure from a file and validate it.

    Parameters
    ----------
    path
        A CIF, POSCAR/CONTCAR, pymatgen-JSON or single-frame extxyz file.

    Returns
    -------
    Structure
        The validated structure.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    StructureInputError
        If the format is unknown, the file is malformed, or the structure fails
        validation (see :func:`validate_structure`).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"structure file {str(path)!r} does not exist")
    fmt = structure_format(path)
    if fmt is None:
        raise StructureInputError(
            f"{path}: unknown structure file type {path.suffix!r}; expected {SUPPORTED_FORMATS}"
        )
    reader = {"cif": _read_cif, "poscar": _read_poscar, "json": _read_json, "extxyz": _read_xyz}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pymatgen/ASE parser chatter; errors still raise
            structure = reader[fmt](path)
    except StructureInputError:
        raise
    except Exception as exc:
        raise StructureInputError(
            f"{path}: could not be read as {fmt} ({type(exc).__name__}: {exc}); "
            f"check the file, or give it the extension of its real format ({SUPPORTED_FORMATS})"
        ) from exc
    validate_structure(structure, source=str(path))
    return structure


def load_structures(paths_or_dir: str | Path | Iterable[str | Path]) -> dict[str, Structure]:
    """Read several structures, named by their file stems.

    Parameters
    ----------
    paths_or_dir
        A directory (every file in it with a recognised structure format, sorted by
        name; other files are skipped) or an iterable of file paths (kept in order).

    Returns
    -------
    dict
        File stem (e.g. ``"22_mp-149"`` for ``22_mp-149.vasp``) to structure.

    Raises
    ------
    FileNotFoundError
        If the directory or a listed file does not exist.
    StructureInputError
        If no structure files are found, two files share a stem, or a file is invalid.
    """
    if isinstance(paths_or_dir, str | Path):
        directory = Path(paths_or_dir)
        if directory.is_dir():
            paths = [
                p
                for p in sorted(directory.iterdir())
                if p.is_file() and not p.name.startswith(".") and structure_format(p)
            ]
            if not paths:
                raise StructureInputError(
                    f"{directory}: no structure files found; expected {SUPPORTED_FORMATS}"
                )
        else:
            paths = [directory]
    else:
        paths = [Path(p) for p in paths_or_dir]
    if not paths:
        raise StructureInputError("no structure files given")
    structures: dict[str, Structure] = {}
    origin: dict[str, Path] = {}
    for path in paths:
        name = path.stem
        if name in structures:
            raise StructureInputError(
                f"{origin[name]} and {path} have the same name {name!r}; rename one of them"
            )
        structures[name] = load_structure(path)
        origin[name] = path
    logger.info("loaded %d structures: %s", len(structures), ", ".join(structures))
    return structures


def validate_structure(structure: Structure, source: str = "structure") -> None:
    """Check that a structure can enter phonogap.

    Parameters
    ----------
    structure
        Structure to check.
    source
        Where it came from (file name), used in error messages.

    Raises
    ------
    StructureInputError
        If the structure is empty, disordered, has non-finite coordinates, a cell of
        (near) zero volume, or two atoms closer than :data:`MIN_DISTANCE_ANG`.
    """
    if len(structure) == 0:
        raise StructureInputError(f"{source}: the structure has no atoms")
    if not structure.is_ordered:
        raise StructureInputError(
            f"{source}: the structure is disordered (partial occupancies); "
            "phonogap needs an ordered structure, e.g. an ordered supercell"
        )
    if not np.all(np.isfinite(structure.lattice.matrix)):
        raise StructureInputError(f"{source}: the lattice has non-finite entries")
    if not np.all(np.isfinite(structure.cart_coords)):
        bad = int(np.where(~np.isfinite(structure.cart_coords).all(axis=1))[0][0])
        raise StructureInputError(f"{source}: atom {bad} has non-finite coordinates")
    volume = abs(float(np.linalg.det(structure.lattice.matrix)))
    if volume < 1e-6:
        raise StructureInputError(
            f"{source}: the cell volume is {volume:.3g} Å^3; the lattice vectors must be "
            "linearly independent (a periodic 3D cell)"
        )
    centres, neighbours, images, distances = structure.get_neighbor_list(
        MIN_DISTANCE_ANG, exclude_self=False
    )
    same = (centres == neighbours) & np.all(images == 0, axis=1)
    if np.any(~same):
        distances = np.where(same, np.inf, distances)
        k = int(np.argmin(distances))
        i, j = int(centres[k]), int(neighbours[k])
        what = "a periodic image of itself" if i == j else f"atom {j} ({structure[j].specie})"
        raise StructureInputError(
            f"{source}: atom {i} ({structure[i].specie}) and {what} are "
            f"{distances[k]:.3f} Å apart (minimum {MIN_DISTANCE_ANG} Å); remove duplicate "
            "sites or check the units (Å) and the fractional/Cartesian flag"
        )


def _read_cif(path: Path) -> Structure:
    from pymatgen.io.cif import CifParser

    structures = CifParser(path).parse_structures(primitive=False, on_error="raise")
    if len(structures) != 1:
        raise StructureInputError(
            f"{path}: holds {len(structures)} structures (data blocks); "
            "split it into one file per structure"
        )
    return structures[0]


def _read_poscar(path: Path) -> Structure:
    from pymatgen.io.vasp import Poscar

    return Poscar.from_file(path, check_for_potcar=False).structure


def _read_json(path: Path) -> Structure:
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise StructureInputError(
            f"{path}: is not valid JSON ({exc}); expected the output of Structure.as_dict()"
        ) from exc
    if not isinstance(data, dict) or "lattice" not in data or "sites" not in data:
        raise StructureInputError(
            f"{path}: JSON is not a pymatgen Structure (needs 'lattice' and 'sites'); "
            "write it with json.dump(structure.as_dict(), file)"
        )
    return Structure.from_dict(data)


def _read_xyz(path: Path) -> Structure:
    from ase.io import read
    from pymatgen.io.ase import AseAtomsAdaptor

    frames = read(path, index=":", format="extxyz")
    if len(frames) != 1:
        raise StructureInputError(
            f"{path}: holds {len(frames)} frames; load_structure reads one structure per file"
        )
    atoms = frames[0]
    atoms.calc = None
    if not atoms.pbc.all():
        raise StructureInputError(
            f"{path}: the frame is not periodic in 3D (pbc={atoms.pbc.tolist()}); "
            'add Lattice="..." and pbc="T T T" to the comment line'
        )
    return AseAtomsAdaptor.get_structure(atoms)
