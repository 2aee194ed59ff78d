"""Harmonic phonons with phonopy: displaced supercells, force constants, frequencies.

Pure functions around :class:`phonopy.Phonopy`; no jobflow. The same code path builds
the reference (DFT forces) and the potential side of a comparison, so both are treated
identically:

* :func:`make_phonopy` takes the structure as the phonopy *unit cell*, finds the
  primitive cell with ``primitive_matrix="auto"`` and generates phonopy's default
  symmetry-inequivalent single displacements (``is_plusminus="auto"``).
* :func:`set_forces` validates the forces, builds compact force constants with
  phonopy's finite-difference solver and, by default, symmetrises them with the symfc
  projector (space group, translational and permutation symmetry at once). That is
  exactly what ``phonopy.load(..., produce_fc=True)`` does, so force constants built here
  from a phonopy YAML's forces equal the ones ``phonopy.load`` returns for that YAML.
  Residual forces of the undisplaced supercell are *not* subtracted here.

Units: structures in Å, forces in eV/Å, frequencies in THz (imaginary frequencies are
returned as negative numbers, phonopy's convention).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from phonopy import Phonopy
from phonopy.structure.atoms import PhonopyAtoms
from pymatgen.core import Lattice, Structure

__all__ = [
    "DEFAULT_MESH",
    "band_frequencies",
    "displaced_supercells",
    "make_phonopy",
    "mesh_min_frequency",
    "phonopy_atoms_to_structure",
    "set_forces",
    "structure_to_phonopy_atoms",
    "total_dos",
]

logger = logging.getLogger(__name__)

#: Default sampling mesh: a length in Å, turned by phonopy into mesh numbers
#: ``max(1, round(length * |b_i|))`` with the reciprocal vectors ``b_i`` without 2π
#: (diamond Si primitive cell: 10x10x10; 46-atom clathrate-I: 3x3x3). Γ-centred.
DEFAULT_MESH: float = 30.0

MeshSpec = float | Sequence[int]


def structure_to_phonopy_atoms(structure: Structure) -> PhonopyAtoms:
    """Convert a pymatgen structure to :class:`~phonopy.structure.atoms.PhonopyAtoms`.

    Parameters
    ----------
    structure
        Ordered structure (Å).

    Returns
    -------
    PhonopyAtoms
        Same lattice, species and fractional coordinates; phonopy's default masses.
    """
    if not structure.is_ordered:
        raise ValueError("phonopy needs an ordered structure; got a disordered one")
    return PhonopyAtoms(
        symbols=[site.specie.symbol for site in structure],
        cell=np.array(structure.lattice.matrix, dtype=float),
        scaled_positions=np.array(structure.frac_coords, dtype=float),
    )


def phonopy_atoms_to_structure(atoms: PhonopyAtoms) -> Structure:
    """Convert :class:`~phonopy.structure.atoms.PhonopyAtoms` to a pymatgen structure.

    Parameters
    ----------
    atoms
        phonopy cell.

    Returns
    -------
    Structure
        Same lattice, species and fractional coordinates, no site properties.
    """
    return Structure(
        Lattice(np.array(atoms.cell, dtype=float)),
        list(atoms.symbols),
        np.array(atoms.scaled_positions, dtype=float),
    )


def make_phonopy(
    structure: Structure,
    supercell_matrix: ArrayLike,
    *,
    displacement: float = 0.01,
    symprec: float = 1e-5,
    primitive_matrix: str | ArrayLike = "auto",
) -> Phonopy:
    """Set up a finite-displacement phonopy calculation.

    Parameters
    ----------
    structure
        Unit cell, used as given (phonopy's ``unitcell``).
    supercell_matrix
        3x3 integer matrix (or 3 diagonal integers) applied to the unit-cell vectors.
    displacement
        Displacement distance in Å (the paper: 0.01 Å).
    symprec
        Symmetry tolerance in Å passed to phonopy/spglib.
    primitive_matrix
        ``"auto"`` (default: phonopy finds the primitive cell; for an already primitive
        cell it may still pick another basis, spglib's standard one) or an explicit 3x3
        matrix, e.g. ``reference.primitive_matrix`` to give a potential-relaxed structure
        exactly the reference's primitive cell even if relaxation lowered its symmetry.

    Returns
    -------
    Phonopy
        With phonopy's default symmetry-inequivalent single displacements
        (``is_plusminus="auto"``) in ``phonon.dataset``.

    Raises
    ------
    ValueError
        If the supercell matrix is not integer, not 3x3 (or 3) or not right-handed, or if
        the displacement is not positive.
    """
    smat = np.asarray(supercell_matrix, dtype=float)
    if smat.shape == (3,):
        smat = np.diag(smat)
    if smat.shape != (3, 3):
        raise ValueError(f"supercell_matrix must be 3x3 (or 3 diagonal entries), got {smat.shape}")
    if not np.allclose(smat, np.rint(smat)):
        raise ValueError(f"supercell_matrix must be integer, got {smat.tolist()}")
    smat_int = np.rint(smat).astype(int)
    if round(np.linalg.det(smat_int)) <= 0:
        raise ValueError(
            f"supercell_matrix must have a positive determinant, got {smat_int.tolist()}"
        )
    if not displacement > 0:
        raise ValueError(f"displacement must be positive (Å), got {displacement}")
    with warnings.catch_warnings():
        # "auto" is chosen deliberately; phonopy warns that v3 defaulted to the identity.
        warnings.filterwarnings("ignore", message="primitive_matrix defaulted to 'auto'")
        phonon = Phonopy(
            structure_to_phonopy_atoms(structure),
            supercell_matrix=smat_int,
            primitive_matrix=primitive_matrix,
            symprec=symprec,
        )
    phonon.generate_displacements(distance=displacement, is_plusminus="auto")
    logger.debug(
        "phonopy: %d atoms unit cell, %d primitive (matrix %s), %d supercell, %d displacements",
        len(phonon.unitcell),
        len(phonon.primitive),
        np.round(phonon.primitive_matrix, 6).tolist(),
        len(phonon.supercell),
        len(phonon.dataset["first_atoms"]),
    )
    return phonon


def _displacement_records(phonon: Phonopy) -> list[dict]:
    """Return the single-displacement records of a phonopy dataset (type-I)."""
    dataset = phonon.dataset
    if dataset is None or "first_atoms" not in dataset:
        raise ValueError(
            "phonopy object has no single-displacement dataset; create it with "
            "make_phonopy() (or Phonopy.generate_displacements())"
        )
    return list(dataset["first_atoms"])


def displaced_supercells(phonon: Phonopy) -> list[Structure]:
    """Return the displaced supercells as pymatgen structures.

    Parameters
    ----------
    phonon
        phonopy object with a single-displacement dataset.

    Returns
    -------
    list of Structure
        ``phonon.supercells_with_displacements`` in the dataset's order (the order
        in which :func:`set_forces` expects the forces).
    """
    _displacement_records(phonon)
    return [phonopy_atoms_to_structure(cell) for cell in phonon.supercells_with_displacements]


def set_forces(
    phonon: Phonopy,
    forces: Sequence[ArrayLike] | np.ndarray,
    *,
    symmetrize: bool = True,
) -> Phonopy:
    """Attach forces of the displaced supercells and produce force constants.

    Parameters
    ----------
    phonon
        phonopy object from :func:`make_phonopy` (or any with a single-displacement
        dataset; a type-2 dataset, every atom displaced, is fitted by symfc instead).
        Modified in place.
    forces
        Forces in eV/Å, shape ``(n_displacements, n_atoms_supercell, 3)``, in the
        order of :func:`displaced_supercells`. Residual forces of the perfect supercell
        must already be subtracted if that is wanted.
    symmetrize
        Symmetrise the force constants with the symfc projector, as
        ``phonopy.load(..., produce_fc=True)`` does (default). ``False`` keeps phonopy's
        raw finite-difference force constants.

    Returns
    -------
    Phonopy
        The same object, with ``forces`` and ``force_constants`` set.

    Raises
    ------
    ValueError
        If the array is ragged, has the wrong shape (the message gives the expected
        one) or contains NaN/inf (the message names the displacement and atom).
    """
    random = phonon.dataset is not None and "displacements" in phonon.dataset
    records = (
        [{"number": -1}] * len(phonon.dataset["displacements"])
        if random
        else _displacement_records(phonon)
    )
    n_disp, n_atoms = len(records), len(phonon.supercell)
    expected = (n_disp, n_atoms, 3)
    try:
        arr = np.asarray(forces, dtype=float)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"forces could not be read as one array of shape {expected} "
            f"(n_displacements, n_atoms_supercell, 3): {exc}"
        ) from exc
    if arr.shape != expected:
        raise ValueError(
            f"forces have shape {arr.shape}, expected {expected} "
            f"(n_displacements={n_disp}, n_atoms_supercell={n_atoms}, 3)"
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        i_disp, i_atom, _ = np.argwhere(bad)[0]
        n_bad = int(bad.any(axis=(1, 2)).sum())
        raise ValueError(
            f"forces contain NaN/inf: displacement {i_disp} (displaced atom "
            f"{records[i_disp]['number']}), supercell atom {i_atom}; "
            f"{n_bad} of {n_disp} displacements affected. Recompute those forces."
        )
    phonon.forces = arr
    if random:  # type-2 (every atom displaced): a least-squares fit, symmetric by construction
        phonon.produce_force_constants(
            calculate_full_force_constants=False, fc_calculator="symfc", show_drift=False
        )
        return phonon
    phonon.produce_force_constants(calculate_full_force_constants=False, show_drift=False)
    if symmetrize:
        phonon.symmetrize_force_constants(show_drift=False, use_symfc_projector=True)
    return phonon


def _require_fc(phonon: Phonopy) -> None:
    if phonon.force_constants is None:
        raise ValueError(
            "phonopy object has no force constants; call set_forces() or load a phonopy "
            "YAML that contains forces (phonopy.load(path, produce_fc=True))"
        )


def band_frequencies(phonon: Phonopy, qpoints: ArrayLike) -> np.ndarray:
    """Return phonon frequencies at the given q-points.

    Parameters
    ----------
    phonon
        phonopy object with force constants.
    qpoints
        ``(n_q, 3)`` fractional coordinates of ``phonon.primitive``'s reciprocal lattice.

    Returns
    -------
    numpy.ndarray
        ``(n_q, n_bands)`` frequencies in THz, ascending at each q-point; imaginary
        modes are negative. With NAC parameters (polar crystals), Γ on a path is approached
        along the path (the direction to the neighbouring q-point), so its bands show the
        LO–TO splitting as phonopy's band structures do; a lone Γ has none.
    """
    _require_fc(phonon)
    q = np.asarray(qpoints, dtype=float)
    if q.ndim != 2 or q.shape[1] != 3:
        raise ValueError(f"qpoints must have shape (n_q, 3), got {q.shape}")
    result = phonon.run_qpoints(q)
    frequencies = np.array(result.frequencies, dtype=float)
    if phonon.nac_params is not None and len(q) > 1:
        norms = np.linalg.norm(q, axis=1)
        for index in np.flatnonzero(norms < 1e-12):
            near = [i for i in (index - 1, index + 1) if 0 <= i < len(q) and norms[i] > 1e-12]
            if not near:
                continue
            neighbour = q[min(near, key=lambda i: norms[i])]  # the nearer: same segment
            gamma = phonon.run_qpoints(q[index : index + 1], nac_q_direction=neighbour)
            frequencies[index] = np.asarray(gamma.frequencies, dtype=float)[0]
    return np.sort(frequencies, axis=1)


def _run_mesh(phonon: Phonopy, mesh: MeshSpec) -> None:
    _require_fc(phonon)
    mesh_arg = float(mesh) if np.isscalar(mesh) else [int(m) for m in mesh]
    phonon.run_mesh(mesh_arg, is_gamma_center=True)


def mesh_min_frequency(phonon: Phonopy, mesh: MeshSpec = DEFAULT_MESH) -> float:
    """Return the lowest frequency on a Γ-centred mesh.

    Parameters
    ----------
    phonon
        phonopy object with force constants.
    mesh
        Mesh numbers (3 ints) or a length in Å (see :data:`DEFAULT_MESH`).

    Returns
    -------
    float
        Minimum frequency in THz over the irreducible mesh points (negative if a mode is
        imaginary). Γ itself is on the mesh, so a perfect acoustic sum rule gives ~0.
    """
    _run_mesh(phonon, mesh)
    return float(np.min(phonon.mesh.frequencies))


def total_dos(
    phonon: Phonopy,
    mesh: MeshSpec = DEFAULT_MESH,
    *,
    sigma: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the total phonon density of states.

    Parameters
    ----------
    phonon
        phonopy object with force constants.
    mesh
        Mesh numbers (3 ints) or a length in Å.
    sigma
        Gaussian smearing width in THz; ``None`` uses the tetrahedron method.

    Returns
    -------
    tuple of numpy.ndarray
        Frequencies (THz) and DOS (states/THz per primitive cell).
    """
    _run_mesh(phonon, mesh)
    dos = phonon.run_total_dos(sigma=sigma)
    return np.array(dos.frequency_points, dtype=float), np.array(dos.dos, dtype=float)
