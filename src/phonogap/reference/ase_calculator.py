"""Any ASE calculator, given by import path and keyword arguments."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, field_validator

from phonogap.reference.base import Reference
from phonogap.reference.registry import register_reference

if TYPE_CHECKING:
    from ase.calculators.calculator import Calculator


@register_reference
class AseCalculatorReference(Reference):
    """Label with an arbitrary ASE calculator class.

    Examples
    --------
    >>> ref = AseCalculatorReference(calculator_class="ase.calculators.emt.EMT")
    """

    backend: ClassVar[str] = "ase"

    calculator_class: str
    """Import path of the calculator class, ``"package.module.ClassName"``."""

    calculator_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Keyword arguments passed to the calculator's constructor (JSON-serialisable)."""

    expensive: bool = False
    """Set for DFT-like calculators: configurations are then labelled one per process."""

    @field_validator("calculator_class")
    @classmethod
    def _importable(cls, value: str) -> str:
        module_name, _, class_name = value.rpartition(".")
        if not module_name:
            raise ValueError(
                f"calculator_class {value!r} is not an import path; write it as "
                "'package.module.ClassName', e.g. 'ase.calculators.emt.EMT'"
            )
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ValueError(
                f"calculator_class {value!r}: module {module_name!r} cannot be imported ({exc}); "
                "install the package that provides it"
            ) from exc
        if not hasattr(module, class_name):
            raise ValueError(
                f"calculator_class {value!r}: module {module_name!r} has no {class_name!r}"
            )
        return value

    def calculator(self) -> Calculator:
        """Instantiate the calculator.

        Returns
        -------
        Calculator
            ``ClassName(**calculator_kwargs)``.
        """
        module_name, _, class_name = self.calculator_class.rpartition(".")
        calculator_type = getattr(importlib.import_module(module_name), class_name)
        return calculator_type(**self.calculator_kwargs)

    def is_expensive(self) -> bool:
        """Tell whether configurations are labelled one job each.

        Returns
        -------
        bool
            :attr:`expensive`.
        """
        return self.expensive

    def required_packages(self) -> tuple[str, ...]:
        """Name the distributions behind this backend.

        Returns
        -------
        tuple of str
            ``("ase",)`` plus the calculator's top-level package.
        """
        return ("ase", self.calculator_class.split(".")[0])
