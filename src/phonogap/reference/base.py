"""The reference abstraction: anything that labels configurations with energies and forces.

A reference is a small, serialisable pydantic model. It never holds a live calculator, so it
can travel inside a jobflow Job, a FireWorks spec or a process pool; each process builds its
own calculator with :meth:`Reference.calculator`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from phonogap.schemas.provenance import package_versions

if TYPE_CHECKING:
    from ase.calculators.calculator import Calculator


class Reference(BaseModel, ABC):
    """Base class of every reference backend.

    Subclasses set :attr:`backend` (the registry name) and implement :meth:`calculator`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: ClassVar[str]
    """Registry name of the backend (``"sw"``, ``"ase"``, ``"gap"``)."""

    cheap: ClassVar[bool] = True
    """True when many configurations are best labelled inside one job with a process pool."""

    @abstractmethod
    def calculator(self) -> Calculator:
        """Build a fresh ASE calculator for this reference in the current process.

        Returns
        -------
        Calculator
            An ASE calculator giving energies, forces and (for periodic cells) stress.
        """

    def provenance(self) -> dict[str, Any]:
        """Describe the reference for output documents.

        Returns
        -------
        dict
            The backend name, its settings and the versions of the packages behind it.
        """
        return {
            "backend": self.backend,
            "settings": self.model_dump(mode="json"),
            "versions": package_versions(*self.required_packages()),
        }

    def required_packages(self) -> tuple[str, ...]:
        """Name the Python distributions whose versions go into provenance.

        Returns
        -------
        tuple of str
            Distribution names.
        """
        return ("ase",)
