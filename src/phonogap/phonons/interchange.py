"""Phonons in formats other tools read: phonopy params YAML and pymatgen band structures.

Science layer. A benchmark keeps, for the reference and for the potential,

* the phonopy params YAML that ``Phonopy.save(settings={"force_constants": True})`` writes
  (cells, displacements with their forces and the force constants), which ``phonopy.load``
  and ``phonogap compare-phonons`` read back;
* a pymatgen :class:`~pymatgen.phonon.bandstructure.PhononBandStructureSymmLine` on the
  benchmark's band path, as atomate2's phonon document keeps ``phonon_bandstructure``:
  reciprocal lattice *without* 2π (phonopy's convention, as
  :func:`pymatgen.io.phonopy.get_ph_bs_symm_line_from_dict` builds it), fractional q-points
  of the primitive cell, frequencies in THz, no eigendisplacements. Every segment of the
  path starts and ends on a labelled q-point, so pymatgen's ``branches`` are the path's
  segments and its ``distance`` is the path length of :class:`~.band_path.BandPath`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pymatgen.core import Lattice
from pymatgen.phonon.bandstructure import PhononBandStructureSymmLine

from phonogap.phonons.harmonic import phonopy_atoms_to_structure

if TYPE_CHECKING:
    from numpy.typing import ArrayLike
    from phonopy import Phonopy

    from phonogap.phonons.band_path import BandPath

__all__ = ["band_structure", "phonopy_params_yaml", "segment_end_labels"]

PHONOPY_PARAMS_SETTINGS = {"force_constants": True}
"""``Phonopy.save`` settings: displacements, forces *and* force constants."""


def phonopy_params_yaml(phonon: Phonopy) -> str:
    """Return the phonopy params YAML of a phonopy object, as text.

    Parameters
    ----------
    phonon
        phonopy object with forces and force constants.

    Returns
    -------
    str
        What ``phonon.save(filename, settings={"force_constants": True})`` writes; readable
        by ``phonopy.load`` once written to a file.
    """
    with tempfile.TemporaryDirectory(prefix="phonogap-phonopy-") as directory:
        path = Path(directory) / "phonopy_params.yaml"
        phonon.save(filename=path, settings=dict(PHONOPY_PARAMS_SETTINGS))
        return path.read_text()


def segment_end_labels(
    segment_lengths: list[int], labels: list[str], connections: list[bool]
) -> list[tuple[str, str]]:
    """Return the (start, end) label of every path segment.

    Parameters
    ----------
    segment_lengths
        q-points per segment.
    labels
        Vertex labels in phonopy's convention (see :class:`~.band_path.BandPath`).
    connections
        Whether each segment ends where the next starts.

    Returns
    -------
    list of tuple
        One ``(start, end)`` per segment.
    """
    names = iter(labels)
    ends: list[tuple[str, str]] = []
    start = next(names)
    for index in range(len(segment_lengths)):
        end = next(names)
        ends.append((start, end))
        if index + 1 < len(segment_lengths):
            start = end if connections[index] else next(names)
    return ends


def band_structure(
    path: BandPath, frequencies_thz: ArrayLike, phonon: Phonopy
) -> PhononBandStructureSymmLine:
    """Build a pymatgen band structure from band-path frequencies.

    Parameters
    ----------
    path
        The benchmark's band path (fractional q-points of the reference primitive basis).
    frequencies_thz
        ``(path.n_qpoints, n_bands)`` frequencies in THz, as returned by
        :func:`~.comparison.compare_phonons`.
    phonon
        The phonopy object the frequencies belong to; its primitive cell gives the
        reciprocal lattice and the structure.

    Returns
    -------
    PhononBandStructureSymmLine
        ``len(branches) == len(path.segment_qpoints)``, ``len(qpoints) == path.n_qpoints``
        and ``bands`` of shape ``(n_bands, n_qpoints)``.

    Raises
    ------
    ValueError
        If the frequency array does not match the path.
    """
    frequencies = np.asarray(frequencies_thz, dtype=float)
    if frequencies.ndim != 2 or frequencies.shape[0] != path.n_qpoints:
        raise ValueError(
            f"frequencies have shape {frequencies.shape}, expected ({path.n_qpoints}, n_bands)"
        )
    lengths = [len(segment) for segment in path.segment_qpoints]
    labels_dict: dict[str, np.ndarray] = {}
    for segment, ends in zip(
        path.segment_qpoints,
        segment_end_labels(lengths, list(path.labels), list(path.connections)),
        strict=True,
    ):
        for label, qpoint in zip(ends, (segment[0], segment[-1]), strict=True):
            name = label
            # pymatgen keys labels by name: a name on two different points gets primes
            while name in labels_dict and not np.allclose(labels_dict[name], qpoint):
                name += "'"
            labels_dict[name] = np.asarray(qpoint, dtype=float)
    primitive = phonopy_atoms_to_structure(phonon.primitive)
    reciprocal = Lattice(np.linalg.inv(np.asarray(phonon.primitive.cell, dtype=float)).T)
    return PhononBandStructureSymmLine(
        qpoints=np.asarray(path.qpoints, dtype=float),
        frequencies=frequencies.T,
        lattice=reciprocal,
        has_nac=False,
        labels_dict=labels_dict,
        coords_are_cartesian=False,
        structure=primitive,
    )
