"""Science layer: training configurations (displacements, randomised cells, sigmas).

Science layer: pure functions and settings, no jobflow; the jobs live in
:mod:`phonogap.jobs.database` and :mod:`phonogap.jobs.labels`.
"""

from phonogap.database.displacements import (
    as_training_configurations,
    single_displacement_supercells,
)
from phonogap.database.extxyz import labelled_summary, read_training_xyz, write_training_xyz
from phonogap.database.isolated_atom import isolated_atom
from phonogap.database.randomised import randomised_supercells
from phonogap.database.regularisation import apply_atomwise_sigma, atomwise_force_sigma
from phonogap.database.sparse_environments import sparse_environments
from phonogap.database.supercells import (
    minimum_image_distance,
    minimum_length_supercell,
    supercell_lengths,
)

__all__ = [
    "apply_atomwise_sigma",
    "as_training_configurations",
    "atomwise_force_sigma",
    "isolated_atom",
    "labelled_summary",
    "minimum_image_distance",
    "minimum_length_supercell",
    "randomised_supercells",
    "read_training_xyz",
    "single_displacement_supercells",
    "sparse_environments",
    "supercell_lengths",
    "write_training_xyz",
]

DEPRECATED_ALIASES: dict[str, str] = {
    "phonopy_from_setup": "phonogap.phonons.setup:phonopy_from_setup",
}
"""Names that moved (old name to ``module:attribute``), importable from here for one release."""


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
