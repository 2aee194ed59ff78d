"""Deprecated: ``phonogap.submit`` moved to :mod:`phonogap.store.launchpad`.

Kept for one release: each old name resolves with a ``DeprecationWarning`` naming its new path.
"""

from __future__ import annotations

from typing import Any

from phonogap.deprecation import moved_attribute

DEPRECATED_ALIASES: dict[str, str] = {
    "LaunchpadConfigError": "phonogap.store.launchpad:LaunchpadConfigError",
    "flow_to_fireworks": "phonogap.store.launchpad:flow_to_fireworks",
    "load_launchpad": "phonogap.store.launchpad:load_launchpad",
    "structure_metadata": "phonogap.structures.metadata:structure_metadata",
    "submit_flow": "phonogap.store.launchpad:submit_flow",
}
"""Old name to ``"new.module:attribute"``."""


def __getattr__(name: str) -> Any:
    """Resolve an old name at its new path (PEP 562)."""
    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
