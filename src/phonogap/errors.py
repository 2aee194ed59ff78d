"""The one base of phonogap's user-facing errors.

Policy
------
* Every error a *user* can cause and fix (a missing or invalid input file, an unknown
  name, a store or launchpad that cannot be reached, a job that failed) is raised as a
  subclass of :class:`PhonogapError`, with a message that names the file or field and the
  fix. Each subclass keeps the built-in base it had before (``ValueError``, ``KeyError``,
  ``RuntimeError``), so ``except ValueError`` code keeps working.
* Boundary code (workflow files, store and launchpad files, dataset and structure readers)
  catches what libraries raise for bad input (pydantic's ``ValidationError``, YAML errors,
  parsers' ``ValueError``) and re-raises it as a :class:`PhonogapError` subclass ``from``
  the original.
* Anything else is a bug: the ``phonogap`` command prints :class:`PhonogapError` (and a
  missing file) as one line, ``error: <message>``, and lets every other exception
  propagate with its traceback; ``phonogap -v`` shows the traceback for all of them.

This module imports nothing from phonogap, so every layer can use it.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["PhonogapError"]


class PhonogapError(Exception):
    """Base of the errors a user can cause and fix; the message says how.

    Attributes
    ----------
    exit_code
        Exit status of the ``phonogap`` command when this error ends it: 2 (bad input,
        as for command-line usage errors) unless a subclass says otherwise.
    """

    exit_code: ClassVar[int] = 2

    def __str__(self) -> str:
        """Return the message as written, also for ``KeyError`` subclasses (no quotes)."""
        return Exception.__str__(self)
