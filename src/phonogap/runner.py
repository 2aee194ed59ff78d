"""Deprecated: ``phonogap.runner``, local runs and the files they write, moved to new modules.

Its names now live in :mod:`phonogap.cli.run` and :mod:`phonogap.report.outputs`.

Kept for one release: each old name resolves with a ``DeprecationWarning`` naming its new path.
"""

from __future__ import annotations

from typing import Any

from phonogap.deprecation import moved_attribute

DEPRECATED_ALIASES: dict[str, str] = {
    "FlowFailedError": "phonogap.cli.run:FlowFailedError",
    "run_flow": "phonogap.cli.run:run_flow",
    "run_extension_flow": "phonogap.cli.run:run_extension_flow",
    "band_path_from_document": "phonogap.report.outputs:band_path_from_document",
    "write_extension_outputs": "phonogap.report.outputs:write_extension_outputs",
    "write_melt_quench_outputs": "phonogap.report.outputs:write_melt_quench_outputs",
    "write_outputs": "phonogap.report.outputs:write_outputs",
    "write_scan_outputs": "phonogap.report.outputs:write_scan_outputs",
}
"""Old name to ``"new.module:attribute"``."""


def __getattr__(name: str) -> Any:
    """Resolve an old name at its new path (PEP 562)."""
    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
