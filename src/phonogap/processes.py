"""Child processes that never outlive ``phonogap``: parent-death signal and group kill.

Every program phonogap starts (``gap_fit``, ``pw.x``, MPI launchers) and every worker of its
process pools asks the Linux kernel, with ``prctl(PR_SET_PDEATHSIG, SIGTERM)``, to be sent
SIGTERM when its parent dies, even by SIGKILL. :func:`run_in_own_group` also starts the
program in its own process group and kills that whole group if the caller is interrupted
(Ctrl-C, or SIGTERM/SIGHUP turned into an exception by the ``phonogap`` command).

This module imports nothing from phonogap, so every layer can use it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["die_with_parent", "kill_group", "run_in_own_group", "set_parent_death_signal"]

_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
"""Loaded once at import: a ``preexec_fn`` runs between fork and exec and must not load it."""


def set_parent_death_signal(parent_pid: int | None = None, sig: int = signal.SIGTERM) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux only).

    Parameters
    ----------
    parent_pid
        The parent expected to be alive; if it is already gone (the race between fork and
        ``prctl``), this process sends ``sig`` to itself.
    sig
        The signal (default SIGTERM).

    Returns
    -------
    bool
        True if the signal was set (False on other systems).
    """
    if _LIBC is None:
        return False
    if _LIBC.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        return False
    if parent_pid is not None and os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)
    return True


def die_with_parent() -> Callable[[], None]:
    """Build a ``preexec_fn`` that gives the child the parent-death signal SIGTERM.

    Returns
    -------
    callable
        For ``subprocess.Popen(..., preexec_fn=die_with_parent())``.
    """
    parent = os.getpid()

    def preexec() -> None:
        set_parent_death_signal(parent)

    return preexec


def kill_group(process: subprocess.Popen[Any], grace_s: float = 2.0) -> None:
    """Stop a process started in its own group: SIGTERM to the group, SIGKILL after a grace.

    Parameters
    ----------
    process
        Started with ``start_new_session=True``.
    grace_s
        Seconds between SIGTERM and SIGKILL.
    """
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            continue
        return


def run_in_own_group(argv: Sequence[str], **kwargs: Any) -> int:
    """Run a program in its own process group, dying with this process.

    Parameters
    ----------
    argv
        The command.
    **kwargs
        Passed to :class:`subprocess.Popen` (``cwd``, ``stdout``, ``env``, ...).

    Returns
    -------
    int
        The exit status.

    Notes
    -----
    Any exception while waiting (Ctrl-C, a termination signal turned into an exception)
    kills the whole group before it propagates.
    """
    process = subprocess.Popen(
        list(argv), start_new_session=True, preexec_fn=die_with_parent(), **kwargs
    )
    try:
        return process.wait()
    except BaseException:
        kill_group(process)
        raise
