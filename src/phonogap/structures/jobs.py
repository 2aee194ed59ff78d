"""Deprecated old home of the relaxation job (kept for one release).

The job moved to :mod:`phonogap.jobs.structures`, pool relaxations to
:mod:`phonogap.structures.relax_batch`. Each name below warns and returns the object at its new
path.
"""

from __future__ import annotations

DEPRECATED_ALIASES: dict[str, str] = {
    "relax_many": "phonogap.structures.relax_batch:relax_many",
    "relax_task": "phonogap.structures.relax_batch:relax_task",
    "relax_with_reference": "phonogap.jobs.structures:relax_with_reference",
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
