"""Deprecated: the extend_database sections moved to :mod:`phonogap.config` and the Makers (kept for one release)."""

from __future__ import annotations

import importlib
import warnings
from typing import Any

DEPRECATED_ALIASES: dict[str, str] = {
    "deep_merge": "phonogap.schemas.presets:deep_merge",
    "BaseDatabaseSection": "phonogap.config.sections:BaseDatabaseSection",
    "GenerateSection": "phonogap.database.general:GeneralDatabaseSettings",
    "MeltQuenchSection": "phonogap.md.protocol:MeltQuenchSettings",
    "ExtensionSection": "phonogap.database.extension_settings:ExtensionSettings",
    "summary_run_names": "phonogap.config.workflow_file:summary_run_names",
}
"""Old name to its new ``module:attribute``."""


def __getattr__(name: str) -> Any:
    if name not in DEPRECATED_ALIASES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = DEPRECATED_ALIASES[name].split(":")
    warnings.warn(
        f"{__name__}.{name} moved to {module}.{attribute}; the old path will be removed in "
        "the next release",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(module), attribute)
