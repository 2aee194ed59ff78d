"""Deprecated: the extend_database sections moved to :mod:`phonogap.config` and the Makers.

Kept for one release: each old name resolves with a ``DeprecationWarning``.
"""

from __future__ import annotations

from typing import Any

from phonogap.deprecation import moved_attribute

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
    """Resolve an old name at its new path (PEP 562)."""
    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
