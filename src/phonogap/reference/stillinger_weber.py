"""Stillinger–Weber silicon through quippy: the embedded default reference.

Seconds per structure, analytic, and an exact ground truth for phonons, kappa and MD, so every
workflow can be demonstrated and tested without DFT.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from phonogap.reference.base import Reference
from phonogap.reference.registry import register_reference

if TYPE_CHECKING:
    from ase.calculators.calculator import Calculator


@register_reference
class StillingerWeberReference(Reference):
    """Stillinger–Weber potential for silicon (quippy ``IP SW``).

    The defaults are the original parameters (Stillinger and Weber, Phys. Rev. B 31, 5262
    (1985)); ``sigma`` in Å and ``eps`` in eV.
    """

    backend: ClassVar[str] = "sw"

    a_coefficient: float = 7.049556277
    b_coefficient: float = 0.6022245584
    p: float = 4.0
    q: float = 0.0
    a_cutoff: float = 1.80
    sigma_ang: float = 2.0951
    epsilon_ev: float = 2.1675
    lambda_three_body: float = 21.0
    gamma: float = 1.20

    def parameter_xml(self) -> str:
        """Return the quippy ``SW_params`` XML for these parameters.

        Returns
        -------
        str
            The XML string passed as ``param_str`` to ``quippy.potential.Potential``.
        """
        return (
            '<SW_params n_types="1">'
            '<per_type_data type="1" atomic_num="14" />'
            f'<per_pair_data atnum_i="14" atnum_j="14" AA="{self.a_coefficient}" '
            f'BB="{self.b_coefficient}" p="{self.p}" q="{self.q}" a="{self.a_cutoff}" '
            f'sigma="{self.sigma_ang}" eps="{self.epsilon_ev}" />'
            '<per_triplet_data atnum_c="14" atnum_j="14" atnum_k="14" '
            f'lambda="{self.lambda_three_body}" gamma="{self.gamma}" eps="{self.epsilon_ev}" />'
            "</SW_params>"
        )

    def calculator(self) -> Calculator:
        """Build the quippy Stillinger–Weber calculator.

        Returns
        -------
        Calculator
            ``quippy.potential.Potential("IP SW", param_str=...)``.
        """
        from quippy.potential import Potential

        return Potential("IP SW", param_str=self.parameter_xml())

    def supported_elements(self) -> frozenset[str]:
        """Name the elements of these parameters.

        Returns
        -------
        frozenset of str
            ``{"Si"}``.
        """
        return frozenset({"Si"})

    def required_packages(self) -> tuple[str, ...]:
        """Name the distributions behind this backend.

        Returns
        -------
        tuple of str
            ``("ase", "quippy-ase")``.
        """
        return ("ase", "quippy-ase")
