"""Progress events: how long steps tell a live display how far they are.

A job (or the science function it calls) reports an event with :func:`report_progress`; the
``phonogap`` command's live display (:mod:`phonogap.cli.progress`) listens on the
:data:`PROGRESS_LOGGER` logger while it runs. The events are DEBUG records of a logger that
does not propagate: they never reach the terminal's log lines or ``OUT/phonogap.log``, and
without a listener :func:`report_progress` returns at once (no record is made).

Events (``event`` and its fields, in the record's ``progress`` attribute):

``gap_fit``
    ``log``: the path of the log gap_fit is writing (the display reads its stage from it).
``items``
    ``done``, ``total``, ``what``: items (configurations labelled, structures relaxed) done
    so far in this job.
``items_planned``
    ``total``, ``what``: one job per item follows; each reports ``item_done`` when it
    finishes.
``item_done``
    ``what``: one item of an ``items_planned`` set is finished.
``jobs_planned``
    ``count``: jobs a job added to the flow (its replacement), before they start.

This module imports nothing from phonogap, so every layer can use it.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = [
    "PROGRESS_ATTRIBUTE",
    "PROGRESS_LOGGER",
    "progress_logger",
    "report_progress",
    "report_replacement",
]

PROGRESS_LOGGER = "phonogap.progress"
"""Name of the logger the events go to."""

PROGRESS_ATTRIBUTE = "progress"
"""Attribute of the log record holding the event: ``{"event": name, **fields}``."""

_logger = logging.getLogger(PROGRESS_LOGGER)
_logger.propagate = False
_logger.setLevel(logging.WARNING)  # off until a listener lowers it to DEBUG


def progress_logger() -> logging.Logger:
    """Return the logger the events go to (a listener adds its handler and sets DEBUG).

    Returns
    -------
    logging.Logger
        The :data:`PROGRESS_LOGGER` logger; it does not propagate to the root logger.
    """
    return _logger


def report_progress(event: str, **fields: Any) -> None:
    """Report a progress event to whoever listens (nothing happens without a listener).

    Parameters
    ----------
    event
        The event's name (see the module docstring).
    **fields
        Its fields (plain values: numbers, strings).
    """
    if _logger.isEnabledFor(logging.DEBUG):
        _logger.debug(event, extra={PROGRESS_ATTRIBUTE: {"event": event, **fields}})


def report_replacement(flow: Any) -> None:
    """Announce the jobs of the Flow a job replaces itself by (a ``jobs_planned`` event).

    Parameters
    ----------
    flow
        The jobflow ``Flow`` of ``Response(replace=flow)``; jobflow adds one more job to it
        when it has an output (the job that stores that output).
    """
    report_progress("jobs_planned", count=len(flow.job_uuids) + (flow.output is not None))
