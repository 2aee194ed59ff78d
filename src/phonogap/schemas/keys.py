"""Names of the extended-XYZ keys: reference labels, fit weights and where a cell came from.

The reference labels get a ``REF_`` prefix so that they never collide with the
``energy``/``forces``/``stress`` that ASE writes for an attached calculator, and
so that ``gap_fit`` is told exactly which observables to fit.
"""

ENERGY_KEY = "REF_energy"
"""``atoms.info`` key of the reference total energy (eV)."""

FORCES_KEY = "REF_forces"
"""``atoms.arrays`` key of the reference forces (eV/Å), shape (n_atoms, 3)."""

VIRIAL_KEY = "REF_virial"
"""``atoms.info`` key of the reference virial (eV), 3x3, ``-stress * volume``."""

CONFIG_TYPE_KEY = "config_type"
"""``atoms.info`` key naming the kind of configuration (used by ``config_type_*`` options)."""

FORCE_ATOM_SIGMA_KEY = "force_atom_sigma"
"""``atoms.arrays`` key of the per-atom force regularisation (eV/Å), Eq. 8 of the paper."""

SOURCE_KEY = "source"
"""``atoms.info`` key naming the structure a configuration was built from."""

ISOLATED_ATOM = "isolated_atom"
"""config_type of the isolated-atom configuration that sets ``e0`` for gap_fit."""

SINGLE_DISPLACEMENT = "single_displacement"
"""config_type of phonopy single-displacement supercells."""

RANDOMISED = "randomised"
"""config_type of randomised (scaled and rattled) supercells."""

SPARSE_ENVIRONMENT = "sparse_environment"
"""config_type of unlabelled configurations that only offer sparse points to gap_fit."""

DISPLACEMENT_INDEX_KEY = "displacement_index"
"""``atoms.info`` key: position of the configuration in phonopy's displacement list."""

DISPLACED_ATOM_KEY = "displaced_atom"
"""``atoms.info`` key: index (in the supercell) of the displaced atom."""
