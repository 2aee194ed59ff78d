"""Old import paths kept for one release (PEP 562 module ``__getattr__``).

A module that moved leaves a shim behind: its old name holds a ``DEPRECATED_ALIASES``
mapping (old attribute name to ``"new.module:attribute"``) and a module-level
``__getattr__`` that calls :func:`moved_attribute`. The new module is imported only when
an old name is used, so shims add no import-time cost and no import cycle.

This module imports nothing from phonogap.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Mapping
from typing import Any

__all__ = ["moved_attribute"]


def moved_attribute(module: str, aliases: Mapping[str, str], name: str) -> Any:
    """Return an attribute from its new home and warn that the old path is deprecated.

    Parameters
    ----------
    module
        The old module's ``__name__``.
    aliases
        Old attribute name to ``"new.module:attribute"``.
    name
        The attribute asked for.

    Returns
    -------
    Any
        The object at its new location.

    Raises
    ------
    AttributeError
        If ``name`` is not one of the aliases (as for any missing module attribute).
    """
    if name not in aliases:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    new_module, _, attribute = aliases[name].partition(":")
    warnings.warn(
        f"{module}.{name} moved to {new_module}.{attribute}; the old path will be removed in "
        "the next release",
        DeprecationWarning,
        stacklevel=3,
    )
    return getattr(importlib.import_module(new_module), attribute)
