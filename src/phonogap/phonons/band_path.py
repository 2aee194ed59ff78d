"""Setyawan–Curtarolo band path in phonopy's primitive reciprocal basis.

pymatgen's :class:`~pymatgen.symmetry.bandstructure.HighSymmKpath` defines the path for
*its* standard primitive cell (``get_primitive_standard_structure``), which can be
rotated and have a different basis than phonopy's primitive cell of the same crystal.
:func:`setyawan_curtarolo_path` therefore

1. builds the path for phonopy's primitive cell with pymatgen,
2. finds the rotation and the integer basis change between pymatgen's standard primitive
   cell and phonopy's primitive cell, requiring that the *atoms* map onto each other (so
   only operations of the crystal, not merely of its lattice, are used). This is a
   safeguard: for the R-3, Ia-3 and I-43m datasets every one of the 12/48 lattice-only
   mappings gave the same path frequencies (to 1e-12 THz), because the Setyawan–Curtarolo
   paths are chosen invariant under the lattice's holohedry,
3. converts the high-symmetry points into fractional coordinates of phonopy's primitive
   reciprocal lattice: a Cartesian q in pymatgen's frame (``2π`` included) is rotated
   into phonopy's frame, divided by ``2π`` and expressed in phonopy's reciprocal basis;
   since the basis change is an exact integer matrix this is done as
   ``f_phonopy = M⁻¹ f_pymatgen`` and Γ, X, L ... land on exact fractions,
4. samples each segment with phonopy's ``get_band_qpoints(..., npoints=51)``
   (both end points included, so a vertex shared by two connected segments appears
   twice, as in phonopy's own band structures).

The *same fractional q-points* are used for another phonopy object of the same crystal
with a slightly different lattice (a potential-relaxed, slightly strained structure):
its frequencies are then compared at the physically corresponding points of its own
Brillouin zone (Γ, zone-boundary points and the lines between them), which is what the
paper's band-structure RMS compares (rather than re-deriving a path for the strained
cell, which could change the path's shape or, for a lowered symmetry, its labels). The
other object must describe the same unit-cell setting; if its primitive matrix differs,
:func:`phonogap.phonons.comparison.qpoints_in_other_basis` converts the q-points exactly.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
from phonopy import Phonopy
from phonopy.phonon.band_structure import get_band_qpoints
from pymatgen.core import Structure
from pymatgen.symmetry.bandstructure import HighSymmKpath

from phonogap.phonons.harmonic import phonopy_atoms_to_structure

__all__ = ["BandPath", "pretty_label", "setyawan_curtarolo_path"]

logger = logging.getLogger(__name__)

_GREEK = {
    "\\Gamma": "Γ",
    "\\Sigma": "Σ",
    "\\Delta": "Δ",
    "\\Lambda": "Λ",
}
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def pretty_label(label: str) -> str:
    r"""Turn a pymatgen k-point label into plain Unicode.

    Parameters
    ----------
    label
        pymatgen label such as ``"\Gamma"``, ``"X_1"`` or ``"\Sigma_1"``.

    Returns
    -------
    str
        ``"Γ"``, ``"X₁"``, ``"Σ₁"`` ...
    """
    base, _, sub = label.partition("_")
    base = _GREEK.get(base, base.lstrip("\\"))
    return base + sub.translate(_SUBSCRIPTS)


@dataclass
class BandPath:
    """A band path sampled segment by segment.

    Attributes
    ----------
    qpoints
        ``(n_q, 3)`` fractional q-points in the reference primitive reciprocal basis,
        all segments concatenated.
    segment_qpoints
        The same q-points, one ``(n_points, 3)`` array per segment.
    labels
        End-point labels in phonopy's convention: one per vertex of each connected run of
        segments, so ``len(labels) == sum(2 - c for c in connections)``. Γ is ``"Γ"``.
    connections
        ``connections[i]`` is True when segment ``i`` ends where segment ``i + 1`` starts.
    distances
        ``(n_q,)`` cumulative path length in 1/Å (reciprocal vectors without 2π, as in
        phonopy); continues without a jump across disconnected segments.
    """

    qpoints: np.ndarray
    segment_qpoints: list[np.ndarray]
    labels: list[str]
    connections: list[bool]
    distances: np.ndarray

    @property
    def n_qpoints(self) -> int:
        """Number of q-points over all segments."""
        return len(self.qpoints)

    def segment_slices(self) -> list[slice]:
        """Return the slice of :attr:`qpoints` belonging to each segment."""
        slices, start = [], 0
        for seg in self.segment_qpoints:
            slices.append(slice(start, start + len(seg)))
            start += len(seg)
        return slices

    def ticks(self) -> tuple[list[float], list[str]]:
        """Return x positions and labels of the segment ends, for plotting.

        Returns
        -------
        tuple of list
            Distances (1/Å) and labels; at a jump between disconnected segments the two
            labels are joined as ``"U|K"``.
        """
        labels = iter(self.labels)
        positions: list[float] = []
        names: list[str] = []
        slices = self.segment_slices()
        for i, sl in enumerate(slices):
            if i == 0:
                positions.append(float(self.distances[sl.start]))
                names.append(next(labels))
            end = next(labels)
            if i + 1 < len(slices) and not self.connections[i]:
                end = f"{end}|{next(labels)}"
            positions.append(float(self.distances[sl.stop - 1]))
            names.append(end)
        return positions, names

    def index_of(self, label: str) -> int:
        """Return the index in :attr:`qpoints` of the first vertex with this label."""
        positions, names = self.ticks()
        for pos, name in zip(positions, names, strict=True):
            if label in name.split("|"):
                return int(np.flatnonzero(np.isclose(self.distances, pos))[0])
        raise KeyError(f"label {label!r} not on the path; labels: {names}")

    def as_dict(self) -> dict:
        """Return a JSON-serialisable dictionary (lists of floats)."""
        return {
            "qpoints": np.asarray(self.qpoints).tolist(),
            "segment_lengths": [len(s) for s in self.segment_qpoints],
            "labels": list(self.labels),
            "connections": [bool(c) for c in self.connections],
            "distances": np.asarray(self.distances).tolist(),
        }


def _basis_change(
    standard: Structure,
    cell: Structure,
    *,
    ltol: float = 0.01,
    angle_tol: float = 1.0,
    site_tol: float = 0.1,
) -> np.ndarray:
    """Return the integer M with ``R(standard.lattice) = M @ cell.lattice``.

    Only lattice mappings under which the atoms of ``standard`` (rotated into the frame of
    ``cell`` and shifted by some origin) coincide with the atoms of ``cell`` are accepted.
    """
    target_frac = cell.frac_coords
    target_species = [site.species_string for site in cell]
    std_species = np.array([site.species_string for site in standard])
    for _aligned, rotation, scale in cell.lattice.find_all_mappings(
        standard.lattice, ltol=ltol, atol=angle_tol
    ):
        cart = standard.cart_coords @ np.asarray(rotation).T
        frac = cell.lattice.get_fractional_coords(cart)
        for k in np.flatnonzero(std_species == target_species[0]):
            shifted = frac + (target_frac[0] - frac[k])
            dist = cell.lattice.get_all_distances(shifted, target_frac)
            dist[std_species[:, None] != np.array(target_species)[None, :]] = np.inf
            nearest = dist.argmin(axis=0)
            if (dist.min(axis=0) < site_tol).all() and len(set(nearest)) == len(cell):
                return np.rint(scale).astype(int)
    raise ValueError(
        "could not map pymatgen's standard primitive cell onto phonopy's primitive cell "
        f"({cell.composition.reduced_formula}, {len(cell)} atoms); the structure may be "
        "too far from symmetric for symprec - symmetrise it or raise symprec"
    )


def setyawan_curtarolo_path(
    phonon: Phonopy,
    points_per_segment: int = 51,
    *,
    symprec: float = 0.01,
) -> BandPath:
    """Return the Setyawan–Curtarolo path for phonopy's primitive cell.

    Parameters
    ----------
    phonon
        phonopy object of the *reference* structure; only ``phonon.primitive`` is used.
    points_per_segment
        q-points per segment including both end points (the paper: 51).
    symprec
        Symmetry tolerance (Å) for pymatgen's space-group analysis.

    Returns
    -------
    BandPath
        q-points in fractional coordinates of ``phonon.primitive``'s reciprocal basis.
    """
    if points_per_segment < 2:
        raise ValueError(f"points_per_segment must be >= 2, got {points_per_segment}")
    cell = phonopy_atoms_to_structure(phonon.primitive)
    with warnings.catch_warnings():
        # pymatgen warns when the input is not its standard primitive cell; the basis
        # change below handles exactly that case.
        warnings.filterwarnings("ignore", message="The input structure does not match")
        kpath = HighSymmKpath(cell, path_type="setyawan_curtarolo", symprec=symprec)
    basis = _basis_change(kpath.prim, cell)
    if not np.array_equal(basis, np.eye(3, dtype=int)):
        logger.info("k-path basis change from pymatgen's standard primitive: %s", basis.tolist())
    to_phonopy = np.linalg.inv(basis)
    points = {
        name: to_phonopy @ np.asarray(frac, dtype=float)
        for name, frac in kpath.kpath["kpoints"].items()
    }
    groups = [list(group) for group in kpath.kpath["path"]]
    segments = get_band_qpoints(
        [[points[name] for name in group] for group in groups], npoints=points_per_segment
    )
    connections: list[bool] = []
    for group in groups:
        connections += [True] * (len(group) - 2) + [False]
    labels = [pretty_label(name) for group in groups for name in group]

    reciprocal = np.linalg.inv(phonon.primitive.cell).T  # rows, 1/Å without 2π
    distances, start = [], 0.0
    for seg in segments:
        steps = np.linalg.norm(np.diff(seg @ reciprocal, axis=0), axis=1)
        seg_dist = start + np.concatenate([[0.0], np.cumsum(steps)])
        distances.append(seg_dist)
        start = float(seg_dist[-1])
    return BandPath(
        qpoints=np.concatenate(segments),
        segment_qpoints=[np.asarray(s) for s in segments],
        labels=labels,
        connections=connections,
        distances=np.concatenate(distances),
    )
