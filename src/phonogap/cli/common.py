"""Application layer: what every ``phonogap`` command module shares.

The two consoles, logging and the options several commands take. The command modules
(:mod:`~phonogap.cli.run`, :mod:`~phonogap.cli.cluster`) import this module, never
:mod:`~phonogap.cli.app`; the app imports them to register their commands, so the command
line has no import cycle.
"""

from __future__ import annotations

import logging

from rich.console import Console
from rich.logging import RichHandler

console = Console()
"""Results (tables) go to standard output."""
log_console = Console(stderr=True)
"""Logs, progress and errors go to standard error, so ``--format json`` output stays clean."""

STORE_HELP = (
    "jobflow-style store file, mongodb:// URI or 'server' (default: $PHONOGAP_STORE_CONFIG, "
    "$PHONOGAP_STORE_DIR, the JOB_STORE of $JOBFLOW_CONFIG_FILE or ~/.jobflow.yaml, else the "
    "embedded store in ~/.phonogap/store)"
)
"""Help of the ``--store`` option of the commands that read or write the store."""


def setup_logging(verbose: bool) -> None:
    """Send log records to standard error through rich.

    Parameters
    ----------
    verbose
        DEBUG level if true, else INFO.
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=log_console, show_path=False, markup=False)],
        force=True,
    )
