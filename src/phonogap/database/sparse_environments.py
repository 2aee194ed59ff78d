"""Unlabelled configurations that only supply sparse points (basis functions) to gap_fit.

A GAP is a sum of kernels centred on M sparse environments chosen from the training
configurations. When every training configuration is one crystal with atoms displaced by a
few hundredths of an Å (a phono3py pair-displacement dataset, 0.03 Å), every candidate
sparse point lies within about 1e-3 of the same SOAP vector. The dot-product kernels centred
there differ from each other only at that scale, so the combinations that express second and
third derivatives of the energy need huge, cancelling weights, and ``sparse_jitter`` and
floating-point precision cut them off. The fitted potential reproduces the forces to
~1e-4 eV/Å and yet gets third-order force constants wrong, which makes kappa far too low.
Measured on phono3py's Si-PBE data (``benchmarks/kappa_si.py``, part b): 66.9 W/mK at
300 K instead of 119.4 W/mK from the DFT data.

Configurations whose atoms are rattled further (0.1 Å) but which carry no labels fix the
basis without adding data. gap_fit computes their descriptors and may pick their
environments as sparse points, but they add no term to the likelihood. The kernels are then
centred far enough apart to be well conditioned, while the fit is still determined by the
labelled configurations alone.
"""

from __future__ import annotations

from ase import Atoms
from numpy.typing import ArrayLike
from pymatgen.core import Structure

from phonogap.database.randomised import randomised_supercells
from phonogap.schemas.keys import CONFIG_TYPE_KEY, SPARSE_ENVIRONMENT


def sparse_environments(
    structure: Structure,
    supercell_matrix: ArrayLike,
    count: int = 16,
    rattle_std: float = 0.1,
    seed: int = 0,
    *,
    source: str | None = None,
) -> list[Atoms]:
    """Build unlabelled, rattled supercells whose environments serve as sparse points.

    Parameters
    ----------
    structure
        Unit cell (the crystal whose labelled data the GAP is fitted to).
    supercell_matrix
        3x3 integer supercell matrix (or three diagonal entries).
    count
        Number of configurations; each adds one environment per atom to the candidates.
    rattle_std
        Standard deviation of the Gaussian displacement of every Cartesian component (Å);
        0.1 Å puts the sparse points about ten times further apart than 0.03 Å displacements.
    seed
        Seed of the rattles (same inputs and seed, same configurations).
    source
        Name recorded in ``info["source"]`` (default: the reduced formula).

    Returns
    -------
    list of Atoms
        Configurations with ``config_type`` ``"sparse_environment"`` and no labels.

    Raises
    ------
    ValueError
        If ``count`` < 1 or ``rattle_std`` <= 0.
    """
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    if rattle_std <= 0:
        raise ValueError(
            f"rattle_std must be > 0 Å, got {rattle_std}: unrattled copies add no new sparse "
            "environments"
        )
    configurations = randomised_supercells(
        structure,
        supercell_matrix,
        count=count,
        scale_range=(1.0, 1.0),
        rattle_std=rattle_std,
        seed=seed,
        source=source,
    )
    for atoms in configurations:
        atoms.info[CONFIG_TYPE_KEY] = SPARSE_ENVIRONMENT
    return configurations
