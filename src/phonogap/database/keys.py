"""Deprecated: the extended-XYZ key names moved to :mod:`phonogap.schemas.keys`.

Kept for one release; every name below warns and returns the constant of its new module.
"""

from __future__ import annotations

DEPRECATED_ALIASES: dict[str, str] = {
    name: f"phonogap.schemas.keys:{name}"
    for name in (
        "CONFIG_TYPE_KEY",
        "ENERGY_KEY",
        "FORCES_KEY",
        "FORCE_ATOM_SIGMA_KEY",
        "ISOLATED_ATOM",
        "RANDOMISED",
        "SINGLE_DISPLACEMENT",
        "SOURCE_KEY",
        "SPARSE_ENVIRONMENT",
        "VIRIAL_KEY",
    )
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> object:
    """Return a moved constant from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
