"""Science layer: reference backends that label configurations, chosen by name.

Science layer, no jobflow: :class:`Reference` declares every hook the labelling and relaxation
jobs (:mod:`phonogap.jobs.labels`, :mod:`phonogap.jobs.structures`) call.
"""

from phonogap.reference.ase_calculator import AseCalculatorReference
from phonogap.reference.base import NoInProcessCalculatorError, Reference
from phonogap.reference.cp2k import Cp2kReference
from phonogap.reference.evaluate import evaluate_configurations, map_with_calculator
from phonogap.reference.gap import GapPotential
from phonogap.reference.qe import QuantumEspressoReference
from phonogap.reference.registry import (
    UnknownReferenceError,
    available_references,
    get_reference,
    reference_from_spec,
    register_reference,
)
from phonogap.reference.stillinger_weber import StillingerWeberReference
from phonogap.reference.vasp import VaspReference

__all__ = [
    "AseCalculatorReference",
    "Cp2kReference",
    "GapPotential",
    "NoInProcessCalculatorError",
    "QuantumEspressoReference",
    "Reference",
    "StillingerWeberReference",
    "UnknownReferenceError",
    "VaspReference",
    "available_references",
    "evaluate_configurations",
    "get_reference",
    "map_with_calculator",
    "reference_from_spec",
    "register_reference",
]
