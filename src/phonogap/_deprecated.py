"""Old import paths kept for one release: the lookup behind every shim's ``__getattr__``.

A module whose names moved defines ``DEPRECATED_ALIASES`` (old name to ``"new.module:name"``)
and a PEP 562 ``__getattr__`` that calls :func:`moved_attribute`. The new module is imported
only when an old name is used, so a shim in a science package never imports the workflow
layer when it is itself imported.
"""

from __future__ import annotations

import importlib
import warnings


def moved_attribute(module: str, name: str, aliases: dict[str, str]) -> object:
    """Return a moved attribute from its new home, with a :class:`DeprecationWarning`.

    Parameters
    ----------
    module
        The old module (``__name__`` of the shim).
    name
        The attribute asked for.
    aliases
        The shim's ``DEPRECATED_ALIASES``: old name to ``"new.module:attribute"``.

    Returns
    -------
    object
        The object at the new location (the same object, not a copy).

    Raises
    ------
    AttributeError
        If ``name`` is not a moved attribute of ``module``.
    """
    try:
        target = aliases[name]
    except KeyError:
        raise AttributeError(f"module {module!r} has no attribute {name!r}") from None
    new_module, _, attribute = target.partition(":")
    warnings.warn(
        f"{module}.{name} moved to {new_module}.{attribute}; import it from there "
        "(the old path will be removed in the next release)",
        DeprecationWarning,
        stacklevel=3,
    )
    return getattr(importlib.import_module(new_module), attribute)
