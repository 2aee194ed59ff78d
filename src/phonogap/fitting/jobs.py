"""Deprecated old home of the fit job (kept for one release).

The job moved to :mod:`phonogap.jobs.fitting`, the fit itself to
:mod:`phonogap.fitting.fit_in_directory`. Each name below warns and returns the object at its
new path.
"""

from __future__ import annotations

DEPRECATED_ALIASES: dict[str, str] = {
    "POTENTIAL_FILE": "phonogap.fitting.fit_in_directory:POTENTIAL_FILE",
    "TRAINING_FILE": "phonogap.fitting.fit_in_directory:TRAINING_FILE",
    "fit_gap": "phonogap.jobs.fitting:fit_gap",
    "fit_gap_in_directory": "phonogap.fitting.fit_in_directory:fit_gap_in_directory",
    "observables_present": "phonogap.fitting.fit_in_directory:observables_present",
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
