"""The ``reference`` field type of Makers and workflow files.

``ReferenceField`` is a :class:`~phonogap.reference.base.Reference` that also accepts a
registry name (``"sw"``) or a spec mapping (``{"backend": "qe", ...}``), so a workflow file's
``reference:`` section and a Python caller's ``reference="sw"`` become the same validated object.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

import phonogap.reference  # noqa: F401  (registers every backend)
from phonogap.reference.base import Reference
from phonogap.reference.registry import UnknownReferenceError, reference_from_spec


def _as_reference(value: Any) -> Reference:
    try:
        return reference_from_spec(value)
    except UnknownReferenceError as exc:
        raise ValueError(str(exc)) from None


ReferenceField = Annotated[Reference, BeforeValidator(_as_reference)]
"""A Reference, or a backend name or ``{"backend": name, **settings}`` that becomes one."""
