"""Deprecated old home of the kappa jobs and KappaMaker (kept for one release).

The jobs moved to :mod:`phonogap.jobs.kappa`, the Maker to :mod:`phonogap.flows.kappa`, the
files and the document to :mod:`phonogap.phonons.kappa_files`, the force sources to
:mod:`phonogap.phonons.kappa_sources`. Each name below warns and returns the object at its new
path.
"""

from __future__ import annotations

DEPRECATED_ALIASES: dict[str, str] = {
    "FC2_FILE": "phonogap.phonons.kappa_files:FC2_FILE",
    "FC3_FILE": "phonogap.phonons.kappa_files:FC3_FILE",
    "FIT_FIELDS": "phonogap.phonons.kappa_sources:FIT_FIELDS",
    "KappaMaker": "phonogap.flows.kappa:KappaMaker",
    "PARAMS_FILE": "phonogap.phonons.kappa_files:PARAMS_FILE",
    "attribute_kappa_to_force_constants": "phonogap.jobs.kappa:attribute_kappa_to_force_constants",
    "build_document": "phonogap.phonons.kappa_files:build_document",
    "compute_kappa": "phonogap.jobs.kappa:compute_kappa",
    "kappa_from_dataset": "phonogap.jobs.kappa:kappa_from_dataset",
    "output_directory": "phonogap.jobs.kappa:output_directory",
    "resolve_force_source": "phonogap.phonons.kappa_sources:resolve_force_source",
    "sha256_of": "phonogap.schemas.provenance:file_sha256",
    "write_phono3py_files": "phonogap.phonons.kappa_files:write_phono3py_files",
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
