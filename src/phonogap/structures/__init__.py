"""Science layer: structure sources (files, bundled allotropes), relaxation, filters.

Science layer: pure functions and settings, no jobflow; the relaxation jobs live in
:mod:`phonogap.jobs.structures`.
"""

from phonogap.structures.allotropes import Allotrope, silicon_allotropes
from phonogap.structures.filters import (
    DroppedStructure,
    filter_max_atoms,
    filter_unchanged_by_relaxation,
)
from phonogap.structures.io import StructureInputError, load_structure, load_structures
from phonogap.structures.relax import RelaxResult, relax_structure
from phonogap.structures.relax_guard import RelaxationCollapsedError, RelaxGuard

__all__ = [
    "Allotrope",
    "DroppedStructure",
    "RelaxGuard",
    "RelaxResult",
    "RelaxationCollapsedError",
    "StructureInputError",
    "filter_max_atoms",
    "filter_unchanged_by_relaxation",
    "load_structure",
    "load_structures",
    "relax_structure",
    "silicon_allotropes",
]
