"""Science layer: phonons with phonopy and kappa with phono3py (pure functions).

Science layer: pure functions, no jobflow; the jobs that call them live in
:mod:`phonogap.jobs` (``phonons``, ``kappa``).
"""

from __future__ import annotations

from phonogap.phonons.band_path import BandPath, setyawan_curtarolo_path
from phonogap.phonons.comparison import (
    IMAGINARY_TOLERANCE_THZ,
    PhononComparison,
    compare_phonons,
    compare_phonopy_files,
    load_phonopy_file,
    rms_error_thz,
)
from phonogap.phonons.harmonic import (
    DEFAULT_MESH,
    band_frequencies,
    displaced_supercells,
    make_phonopy,
    mesh_min_frequency,
    set_forces,
    total_dos,
)

__all__ = [
    "DEFAULT_MESH",
    "IMAGINARY_TOLERANCE_THZ",
    "BandPath",
    "PhononComparison",
    "band_frequencies",
    "compare_phonons",
    "compare_phonopy_files",
    "displaced_supercells",
    "load_phonopy_file",
    "make_phonopy",
    "mesh_min_frequency",
    "rms_error_thz",
    "set_forces",
    "setyawan_curtarolo_path",
    "total_dos",
]
