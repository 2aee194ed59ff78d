"""Deprecated: ``phonogap.cli_cluster``, the cluster commands, moved to new modules.

Its names now live in :mod:`phonogap.cli.cluster`, :mod:`phonogap.cli.run` and
:mod:`phonogap.cli.tables`.

Kept for one release: each old name resolves with a ``DeprecationWarning`` naming its new path.
"""

from __future__ import annotations

from typing import Any

from phonogap.deprecation import moved_attribute

DEPRECATED_ALIASES: dict[str, str] = {
    "add_campaign_results_options": "phonogap.cli.cluster:add_campaign_results_options",
    "add_cluster_commands": "phonogap.cli.cluster:add_cluster_commands",
    "campaign_results": "phonogap.cli.cluster:campaign_results",
    "cmd_db": "phonogap.cli.cluster:cmd_db",
    "cmd_submit": "phonogap.cli.cluster:cmd_submit",
    "print_campaign": "phonogap.cli.tables:print_campaign",
    "run_campaign": "phonogap.cli.run:run_campaign",
}
"""Old name to ``"new.module:attribute"``."""


def __getattr__(name: str) -> Any:
    """Resolve an old name at its new path (PEP 562)."""
    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
