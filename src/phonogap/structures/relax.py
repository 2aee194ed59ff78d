"""Relax a structure (positions and cell) with any ASE calculator, keeping its symmetry.

Choices (measured with Stillinger-Weber silicon on the 13 bundled allotropes, 2-68 atoms):

- Optimiser: ASE ``BFGS`` on a ``FrechetCellFilter``. It reaches the paper's 1e-5 eV/Å in
  3-41 steps (about 0.06 s per step with quippy SW); ``FIRE`` needs 60-120 steps for the
  same tolerance and ``LBFGS`` behaves like ``BFGS``. Both can be chosen by name.
- Convergence: ``fmax`` applies to every component the optimiser sees: atomic forces (eV/Å)
  and, with ``relax_cell``, the cell "forces" of ``FrechetCellFilter``, i.e. the virial
  divided by the number of atoms (eV). With the default 1e-5 this means residual stresses
  of about 1e-4 GPa for silicon.
- Symmetry: an ``ase.constraints.FixSymmetry`` constraint (after
  ``ase.spacegroup.symmetrize.refine_symmetry`` with the same ``symprec``) keeps the space
  group found at the start, so numerical noise in forces cannot break the symmetry of
  high-symmetry allotropes. A structure that would lower its symmetry on relaxation (a
  dynamical instability) is therefore not detected here: that is the phonon benchmark's
  job. Pass ``keep_symmetry=False`` for an unconstrained relaxation.
- Not converging within ``max_steps`` is not an error: ``converged=False`` is returned and
  the caller decides.
- Leaving a sane window *is* an error: a :class:`~phonogap.structures.relax_guard.RelaxGuard`
  (default: volume ×0.5–×2 of the start, no two atoms closer than 0.5 Å) is checked after
  every step and raises
  :class:`~phonogap.structures.relax_guard.RelaxationCollapsedError`, so a potential without a
  minimum near the structure cannot drag the cell to a size where every force call (and the
  phonon calculation after it) needs unbounded memory. ``guard=None`` switches it off.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from pymatgen.core import Structure
from pymatgen.io.ase import AseAtomsAdaptor

from phonogap.structures.relax_guard import RelaxGuard

if TYPE_CHECKING:
    from ase import Atoms
    from ase.calculators.calculator import Calculator

logger = logging.getLogger(__name__)

EV_PER_ANG3_TO_GPA = 160.21766208
"""Conversion factor from eV/Å^3 to GPa."""

OPTIMIZERS = ("BFGS", "LBFGS", "FIRE")
"""Names accepted by :func:`relax_structure`."""


@dataclass
class RelaxResult:
    """Outcome of one relaxation.

    Attributes
    ----------
    structure
        The relaxed structure (the input one if nothing moved).
    energy_ev
        Total potential energy of the relaxed structure (eV, whole cell).
    max_force_ev_per_ang
        Largest atomic force norm at the end (eV/Å), without the symmetry constraint.
    n_steps
        Optimiser steps taken.
    converged
        Whether the optimiser reached ``fmax`` within ``max_steps``.
    max_stress_gpa
        Largest absolute stress component at the end (GPa); NaN if the cell was fixed
        and the calculator gives no stress.
    failure
        Why the relaxation was stopped (the guard's message), or ``None``. Set only by
        callers that turn :class:`~phonogap.structures.relax_guard.RelaxationCollapsedError`
        into a result (:func:`phonogap.structures.relax_batch.relax_task`).
    """

    structure: Structure
    energy_ev: float
    max_force_ev_per_ang: float
    n_steps: int
    converged: bool
    max_stress_gpa: float = float("nan")
    failure: str | None = None


def relax_structure(
    structure: Structure,
    calculator: Calculator,
    *,
    fmax: float = 1e-5,
    max_steps: int = 2000,
    relax_cell: bool = True,
    optimizer: str = "BFGS",
    keep_symmetry: bool = True,
    symprec: float = 1e-3,
    guard: RelaxGuard | None = RelaxGuard(),  # noqa: B008 (frozen dataclass)
) -> RelaxResult:
    """Relax atomic positions (and the cell) with an ASE calculator.

    Parameters
    ----------
    structure
        Structure to relax (not modified).
    calculator
        ASE calculator; it is attached to a copy and detached afterwards, so it can be
        reused.
    fmax
        Convergence threshold of the optimiser (eV/Å for atoms, eV for the cell
        components; see the module docstring). The paper relaxes to forces below
        1e-5 eV/Å.
    max_steps
        Largest number of optimiser steps.
    relax_cell
        Relax the lattice vectors as well (``FrechetCellFilter``, zero pressure).
    optimizer
        ``"BFGS"`` (default), ``"LBFGS"`` or ``"FIRE"``.
    keep_symmetry
        Constrain the relaxation to the initial space group (``FixSymmetry``).
    symprec
        Symmetry tolerance (Å) used to find and refine that space group.
    guard
        Volume and distance window checked after every step (default: ×0.5–×2 of the
        starting volume, 0.5 Å), with the structure name and likely cause for the message;
        ``None``: unguarded.

    Returns
    -------
    RelaxResult
        Relaxed structure, energy, residual force and stress, steps, convergence flag.

    Raises
    ------
    ValueError
        For a non-positive ``fmax``/``max_steps`` or an unknown optimiser name.
    RelaxationCollapsedError
        When the relaxation leaves the ``guard``'s window (the optimiser stops at once).
    """
    from ase.constraints import FixSymmetry
    from ase.filters import FrechetCellFilter
    from ase.optimize import BFGS, FIRE, LBFGS
    from ase.spacegroup.symmetrize import refine_symmetry

    if fmax <= 0 or max_steps < 1:
        raise ValueError(f"fmax ({fmax}) and max_steps ({max_steps}) must be positive")
    optimizers = {"BFGS": BFGS, "LBFGS": LBFGS, "FIRE": FIRE}
    if optimizer not in optimizers:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {OPTIMIZERS}")

    atoms = AseAtomsAdaptor.get_atoms(structure)
    atoms.set_constraint()
    if keep_symmetry:
        refine_symmetry(atoms, symprec=symprec, verbose=False)
        atoms.set_constraint(FixSymmetry(atoms, symprec=symprec))
    atoms.calc = calculator
    target = FrechetCellFilter(atoms) if relax_cell else atoms
    opt = optimizers[optimizer](target, logfile=None)
    if guard is not None:
        opt.attach(guard.observer(atoms, opt, optimizer), interval=1)
    with warnings.catch_warnings():
        # scipy's logm inside FrechetCellFilter warns about ~1e-13 inaccuracies
        warnings.filterwarnings("ignore", message="logm result may be inaccurate")
        converged = bool(opt.run(fmax=fmax, steps=max_steps))
        energy = float(atoms.get_potential_energy())
        forces = atoms.get_forces(apply_constraint=False)
        stress = _max_stress_gpa(atoms)
    max_force = float(np.linalg.norm(forces, axis=1).max()) if len(atoms) else 0.0
    n_steps = int(opt.nsteps)
    atoms.calc = None
    atoms.set_constraint()
    relaxed = AseAtomsAdaptor.get_structure(atoms)
    formula = structure.composition.reduced_formula
    if converged:
        logger.info(
            "relaxed %s (%d atoms) in %d %s steps: max force %.1e eV/Å, %.4f Å^3/atom",
            formula,
            len(structure),
            n_steps,
            optimizer,
            max_force,
            relaxed.volume / len(relaxed),
        )
    else:
        logger.warning(
            "relaxation of %s (%d atoms) not converged to %.1e after %d %s steps "
            "(max force %.1e eV/Å)",
            formula,
            len(structure),
            fmax,
            n_steps,
            optimizer,
            max_force,
        )
    return RelaxResult(
        structure=relaxed,
        energy_ev=energy,
        max_force_ev_per_ang=max_force,
        n_steps=n_steps,
        converged=converged,
        max_stress_gpa=stress,
    )


def _max_stress_gpa(atoms: Atoms) -> float:
    from ase.calculators.calculator import PropertyNotImplementedError

    try:
        stress = atoms.get_stress(apply_constraint=False)
    except PropertyNotImplementedError:
        return float("nan")
    return float(np.abs(stress).max() * EV_PER_ANG3_TO_GPA)
