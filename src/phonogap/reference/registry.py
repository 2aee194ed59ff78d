"""The registry that maps reference backend names to classes.

Workflow files name a backend (``reference: {backend: sw}``); the registry turns that name
into a validated :class:`~phonogap.reference.base.Reference`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from phonogap.errors import PhonogapError

if TYPE_CHECKING:
    from phonogap.reference.base import Reference

ReferenceType = TypeVar("ReferenceType", bound="type[Reference]")

_REGISTRY: dict[str, type[Reference]] = {}


class UnknownReferenceError(PhonogapError, KeyError):
    """Raised when a workflow names a reference backend that is not registered."""


def register_reference(cls: ReferenceType) -> ReferenceType:
    """Register a reference class under its ``backend`` name (class decorator).

    Parameters
    ----------
    cls
        A :class:`Reference` subclass with a ``backend`` class variable.

    Returns
    -------
    type
        The same class, registered.
    """
    _REGISTRY[cls.backend] = cls
    return cls


def available_references() -> list[str]:
    """List the registered backend names.

    Returns
    -------
    list of str
        Sorted backend names.
    """
    return sorted(_REGISTRY)


def get_reference(backend: str, **settings: Any) -> Reference:
    """Build a reference from its backend name and settings.

    Parameters
    ----------
    backend
        Registered name, e.g. ``"sw"`` or ``"ase"``.
    **settings
        Fields of that backend's model.

    Returns
    -------
    Reference
        The validated reference.

    Raises
    ------
    UnknownReferenceError
        If no backend of that name is registered; the message lists the known ones.
    """
    try:
        cls = _REGISTRY[backend]
    except KeyError:
        raise UnknownReferenceError(
            f"unknown reference backend {backend!r}; available: "
            f"{', '.join(available_references())}. Set 'reference.backend' to one of these."
        ) from None
    return cls(**settings)


def reference_from_spec(spec: Reference | str | dict[str, Any]) -> Reference:
    """Build a reference from a name, a ``{"backend": ..., **settings}`` dict or a reference.

    Parameters
    ----------
    spec
        What a workflow file or a Maker field holds.

    Returns
    -------
    Reference
        The validated reference.
    """
    from phonogap.reference.base import Reference

    if isinstance(spec, Reference):
        return spec
    if isinstance(spec, str):
        return get_reference(spec)
    settings = dict(spec)
    backend = settings.pop("backend", None)
    if backend is None:
        raise UnknownReferenceError(
            "reference settings have no 'backend' field; add e.g. 'backend: sw'. "
            f"Available: {', '.join(available_references())}"
        )
    return get_reference(backend, **settings)
