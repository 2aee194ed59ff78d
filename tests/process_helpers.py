"""Helpers of the tests that stop ``phonogap`` and look for processes left behind."""

from __future__ import annotations

import psutil


def alive(process: psutil.Process) -> bool:
    """Return whether ``process`` still runs (a zombie or a vanished process does not)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
