"""Science layer: melt–quench MD and the snapshot error benchmark (the paper's Table).

Science layer: the protocol and the error measures. The jobs live in :mod:`phonogap.jobs.md`,
the Maker in :mod:`phonogap.flows.melt_quench`.
"""

from phonogap.md.protocol import MeltQuenchSettings, run_melt_quench, run_melt_quench_isolated

__all__ = [
    "MeltQuenchSettings",
    "run_melt_quench",
    "run_melt_quench_isolated",
]

DEPRECATED_ALIASES: dict[str, str] = {
    "MeltQuenchMaker": "phonogap.flows.melt_quench:MeltQuenchMaker",
    "melt_quench_errors": "phonogap.jobs.md:melt_quench_errors",
    "melt_quench_md": "phonogap.jobs.md:melt_quench_md",
}
"""Names that moved (old name to ``module:attribute``), importable from here for one release."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
