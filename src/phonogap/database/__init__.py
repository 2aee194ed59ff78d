"""Training configurations: displacements, randomised supercells, regularisation, extxyz."""

from phonogap.database.displacements import (
    as_training_configurations,
    phonopy_from_setup,
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
    "phonopy_from_setup",
    "randomised_supercells",
    "read_training_xyz",
    "single_displacement_supercells",
    "sparse_environments",
    "supercell_lengths",
    "write_training_xyz",
]
