"""Deprecated old home of the extension jobs (kept for one release).

The jobs moved to :mod:`phonogap.jobs.database` and :mod:`phonogap.jobs.fitting`, their
documents to :mod:`phonogap.schemas.extension`, the sparse split to
:mod:`phonogap.fitting.sparse_split`. Each name below warns and returns the object at its new
path.
"""

from __future__ import annotations

DEPRECATED_ALIASES: dict[str, str] = {
    "ExtendedDatasetDocument": "phonogap.schemas.extension:ExtendedDatasetDocument",
    "ExtendedFitDocument": "phonogap.schemas.extension:ExtendedFitDocument",
    "extend_database": "phonogap.jobs.database:extend_database",
    "fit_extended_gap": "phonogap.jobs.fitting:fit_extended_gap",
    "general_database": "phonogap.jobs.database:general_database",
    "split_hyperparameters": "phonogap.fitting.sparse_split:split_hyperparameters",
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
