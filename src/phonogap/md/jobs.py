"""Deprecated old home of the melt–quench jobs (kept for one release).

The jobs moved to :mod:`phonogap.jobs.md`, the Maker to :mod:`phonogap.flows.melt_quench`,
``as_potential`` to :mod:`phonogap.md.candidates`. Each name below warns and returns the object
at its new path.
"""

from __future__ import annotations

DEPRECATED_ALIASES: dict[str, str] = {
    "MeltQuenchMaker": "phonogap.flows.melt_quench:MeltQuenchMaker",
    "as_potential": "phonogap.md.candidates:as_potential",
    "melt_quench_errors": "phonogap.jobs.md:melt_quench_errors",
    "melt_quench_md": "phonogap.jobs.md:melt_quench_md",
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
