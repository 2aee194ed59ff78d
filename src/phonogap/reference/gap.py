"""A fitted GAP (xml + sparseX files on disk) used as a calculator or as a reference."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import field_validator

from phonogap.reference.base import Reference
from phonogap.reference.registry import register_reference

if TYPE_CHECKING:
    from ase.calculators.calculator import Calculator


@register_reference
class GapPotential(Reference):
    """A GAP potential file evaluated with quippy.

    Use it to evaluate a potential phonogap fitted, or to label with an existing GAP (for
    example GAP-18) as the reference.
    """

    backend: ClassVar[str] = "gap"

    xml_path: str
    """Absolute path of the ``gap_fit`` output xml (its sparseX files sit beside it)."""

    @field_validator("xml_path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        return str(Path(value).expanduser().resolve())

    def calculator(self) -> Calculator:
        """Load the potential with quippy.

        Returns
        -------
        Calculator
            ``quippy.potential.Potential(param_filename=xml_path)``.

        Raises
        ------
        FileNotFoundError
            If the xml file is missing.
        """
        if not Path(self.xml_path).is_file():
            raise FileNotFoundError(
                f"GAP potential file {self.xml_path} does not exist: the fit job's directory "
                "was moved or deleted. Point 'xml_path' at the gap_fit output xml."
            )
        from quippy.potential import Potential

        return Potential(param_filename=self.xml_path)

    def required_packages(self) -> tuple[str, ...]:
        """Name the distributions behind this backend.

        Returns
        -------
        tuple of str
            ``("ase", "quippy-ase")``.
        """
        return ("ase", "quippy-ase")
