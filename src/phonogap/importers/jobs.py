"""Deprecated old home of the import jobs (kept for one release).

The jobs moved to :mod:`phonogap.jobs.importers`, the dataset specs and the import to
:mod:`phonogap.importers.training_data`. Each name below warns and returns the object at its new
path.
"""

from __future__ import annotations

DEPRECATED_ALIASES: dict[str, str] = {
    "DatasetSpec": "phonogap.importers.training_data:DatasetSpec",
    "EquilibriumSettings": "phonogap.importers.training_data:EquilibriumSettings",
    "import_base_database": "phonogap.jobs.importers:import_base_database",
    "import_datasets": "phonogap.jobs.importers:import_datasets",
    "import_training_data": "phonogap.importers.training_data:import_training_data",
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
