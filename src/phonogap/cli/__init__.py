"""Application layer: the ``phonogap`` command line.

* :mod:`~phonogap.cli.app`: the parser, :func:`main` and the store-reading commands.
* :mod:`~phonogap.cli.run`: ``demo`` and ``run`` (local runs, campaigns included).
* :mod:`~phonogap.cli.cluster`: ``submit``, ``db`` and the campaign options of ``results``.
* :mod:`~phonogap.cli.tables`: the printed tables; :mod:`~phonogap.cli.common`: consoles
  and logging.

``phonogap.cli`` was a module in phonogap 0.1; its public names still resolve here for one
release, with a ``DeprecationWarning`` naming their new module.
"""

from __future__ import annotations

from typing import Any

from phonogap.cli.app import main
from phonogap.deprecation import moved_attribute

__all__ = ["main"]

DEPRECATED_ALIASES: dict[str, str] = {
    "build_parser": "phonogap.cli.app:build_parser",
    "cmd_compare_phonons": "phonogap.cli.app:cmd_compare_phonons",
    "cmd_demo": "phonogap.cli.run:cmd_demo",
    "cmd_plot": "phonogap.cli.app:cmd_plot",
    "cmd_results": "phonogap.cli.app:cmd_results",
    "cmd_run": "phonogap.cli.run:cmd_run",
    "console": "phonogap.cli.common:console",
    "demo_workflow": "phonogap.cli.run:demo_workflow",
    "log_console": "phonogap.cli.common:log_console",
}
"""Names of the former ``phonogap.cli`` module and their new homes."""


def __getattr__(name: str) -> Any:
    """Resolve a name of the former module (PEP 562)."""
    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
