"""Deprecated old home of the labelling jobs (kept for one release).

The jobs moved to :mod:`phonogap.jobs.labels`, restart-safe labelling in work directories to
:mod:`phonogap.reference.restart_safe`. Each name below warns and returns the object at its new
path.
"""

from __future__ import annotations

DEPRECATED_ALIASES: dict[str, str] = {
    "LABELS_FILE": "phonogap.reference.restart_safe:LABELS_FILE",
    "collect_labels": "phonogap.jobs.labels:collect_labels",
    "label_configuration": "phonogap.jobs.labels:label_configuration",
    "label_database_per_configuration": "phonogap.jobs.labels:label_database_per_configuration",
    "label_in_work_directory": "phonogap.reference.restart_safe:label_in_work_directory",
    "label_settings": "phonogap.reference.restart_safe:label_settings",
    "labelling_job": "phonogap.jobs.labels:labelling_job",
    "work_directory": "phonogap.reference.restart_safe:work_directory",
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
