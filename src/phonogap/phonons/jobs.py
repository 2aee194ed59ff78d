"""Deprecated old home of the phonon benchmark jobs (kept for one release).

The jobs moved to :mod:`phonogap.jobs.phonons`, their phonopy pieces to
:mod:`phonogap.phonons.benchmark`. Each name below warns and returns the object at its new path.
"""

from __future__ import annotations

DEPRECATED_ALIASES: dict[str, str] = {
    "benchmark_phonons": "phonogap.jobs.phonons:benchmark_phonons",
    "benchmark_structure": "phonogap.jobs.phonons:benchmark_structure",
    "dos_on_common_grid": "phonogap.phonons.benchmark:dos_on_common_grid",
    "forces_from": "phonogap.phonons.benchmark:forces_from",
    "potential_phonopy": "phonogap.phonons.benchmark:potential_phonopy",
    "reference_phonopy": "phonogap.phonons.benchmark:reference_phonopy",
    "single_displacement_forces": "phonogap.phonons.benchmark:single_displacement_forces",
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
