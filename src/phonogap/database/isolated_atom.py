"""The isolated-atom configuration whose reference energy gives gap_fit its ``e0``.

gap_fit reads the isolated-atom energy from a configuration with ``config_type``
``isolated_atom``. The atom sits at the centre of a cubic box with ``pbc`` False.
gap_fit needs a lattice for every frame, and some QUIP versions treat every frame as
periodic regardless of ``pbc``, so the box must be wider than twice the descriptor
cutoff (5 Å in the paper) for the atom not to see its images; the default 20 Å is.
The same holds for DFT references that always use periodic cells: the box sets the
vacuum.
"""

from __future__ import annotations

from ase import Atoms

from phonogap.schemas.keys import CONFIG_TYPE_KEY, ISOLATED_ATOM, SOURCE_KEY


def isolated_atom(symbol: str = "Si", box: float = 20.0) -> Atoms:
    """Build a single atom in a cubic box.

    Parameters
    ----------
    symbol
        Chemical symbol.
    box
        Edge of the cubic box (Å); keep it above twice the cutoff of the potential.

    Returns
    -------
    Atoms
        One atom at the box centre, ``pbc=False``, ``info`` keys ``config_type``
        (``"isolated_atom"``) and ``source`` (the symbol).

    Raises
    ------
    ValueError
        If ``box`` is not positive or ``symbol`` is not an element.
    """
    if box <= 0:
        raise ValueError(f"box must be positive, got {box} Å")
    try:
        atoms = Atoms(symbol, positions=[[box / 2] * 3], cell=[box] * 3, pbc=False)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{symbol!r} is not a chemical symbol") from exc
    if len(atoms) != 1:
        raise ValueError(f"{symbol!r} is not a single chemical symbol")
    atoms.info[CONFIG_TYPE_KEY] = ISOLATED_ATOM
    atoms.info[SOURCE_KEY] = symbol
    return atoms
