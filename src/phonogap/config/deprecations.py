"""Workflow-file keys renamed by the Makers-as-configuration redesign, kept for one release.

Each old key still works: it is rewritten to its new key before validation, and a
:class:`WorkflowDeprecationWarning` names the file, the old key and the new one.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from phonogap.errors import PhonogapError


class WorkflowDeprecationWarning(FutureWarning):
    """A workflow file uses a key that will be removed in the next release."""


class OldKeyError(PhonogapError, ValueError):
    """An old key whose value was invalid in the old format too (it has no new equivalent).

    Attributes
    ----------
    location
        Dotted location of the key, for the message.
    """

    def __init__(self, location: str, message: str) -> None:
        super().__init__(message)
        self.location = location


def _fit_overrides(raw: dict[str, Any]) -> str | None:
    fit = raw.get("fit")
    if not isinstance(fit, dict) or "overrides" not in fit:
        return None
    overrides = fit.pop("overrides")
    fit["hyperparameters"] = {**overrides, **fit.get("hyperparameters", {})}
    return "'fit.overrides' is now 'fit.hyperparameters' (same fields, merged into the preset)"


def _melt_quench_sections(raw: dict[str, Any]) -> str | None:
    extension = raw.get("extension")
    melt = extension.get("melt_quench") if isinstance(extension, dict) else None
    if not isinstance(melt, dict):
        return None
    if "overrides" in melt and melt.get("preset", "none") == "none":
        # the old default preset was 'none'; the new mapping without a preset is the
        # paper-scale protocol (days of MD), so refuse as the old format did
        raise OldKeyError(
            "extension.melt_quench",
            "'extension.melt_quench.overrides' needs a protocol to change: set "
            "'extension.melt_quench.preset' to ci or paper (or remove 'overrides')",
        )
    if melt.get("preset") == "none":
        extension["melt_quench"] = None
        return "'extension.melt_quench: {preset: none}' is now 'extension.melt_quench: null'"
    if "overrides" in melt:
        melt.update(melt.pop("overrides"))
        return (
            "'extension.melt_quench.overrides' is gone: write the fields next to "
            "'extension.melt_quench.preset'"
        )
    return None


RENAMES: tuple[Callable[[dict[str, Any]], str | None], ...] = (
    _fit_overrides,
    _melt_quench_sections,
)
"""Rewrites of old keys; each returns its message, or None when the file does not use it."""


def upgrade_old_keys(raw: dict[str, Any], path: Path | str) -> dict[str, Any]:
    """Rewrite the old keys of a workflow file to the new ones, warning once per key.

    Parameters
    ----------
    raw
        The parsed YAML mapping (not changed).
    path
        The file, named in the warnings.

    Returns
    -------
    dict
        A rewritten copy.

    Raises
    ------
    OldKeyError
        For an old key whose value was invalid in the old format too.
    """
    import copy

    upgraded = copy.deepcopy(raw)
    for rename in RENAMES:
        message = rename(upgraded)
        if message:
            warnings.warn(
                f"workflow file {path}: {message}; the old key will be removed in the next release",
                WorkflowDeprecationWarning,
                stacklevel=3,
            )
    return upgraded
