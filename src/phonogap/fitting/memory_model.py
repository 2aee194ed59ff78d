"""How much memory and time a gap_fit run needs, before it runs.

GAP's memory is dominated by two parts, as gap_fit's own ``Memory Estimate`` (printed by
``dryrun=T``) counts them:

* descriptors: 8 bytes x dimension x (descriptors + their partial derivatives), per
  descriptor; SOAP has one descriptor per atom and 3 (1 + neighbours within the cutoff)
  derivative entries per atom (9 in a configuration with a virial), ``distance_2b`` one per
  ordered pair and 6 derivatives each (18 with a virial);
* covariances, with M the sparse points of all descriptors and N_t = N_energies +
  N_force_components + N_virial_components (6 per configuration) the training targets:
  ``yY`` = 8 M N_t bytes, ``yy`` = 8 M^2, ``A`` = 8 M (N_t + M).

gap_fit's estimate takes the peak as the larger of (descriptors + yY) and
(2 yY + yy + 2 A); the measured resident peaks (``benchmarks/fit_memory_model.py``) follow the
larger of (descriptors + yY) and (yY + yy + A) instead: gap_fit's second phase overstates a
covariance-dominated fit by 1.8x (1.28 GiB measured, 2.26 GiB by its formula, at M = 4000).
phonogap's estimate is that peak times :data:`MEASURED_OVER_ESTIMATE`.
:mod:`phonogap.fitting.gap_fit_dryrun` reads the counts from gap_fit's own ``dryrun=T``
(seconds, nothing allocated); :func:`count_fit_size` counts them with ASE's neighbour list
when no gap_fit is at hand. The wall-time model (:func:`estimate_wall_time_s`) is calibrated
on the measured fits of the benchmark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from phonogap.schemas.keys import CONFIG_TYPE_KEY, ENERGY_KEY, FORCES_KEY, VIRIAL_KEY

if TYPE_CHECKING:
    from ase import Atoms

    from phonogap.fitting.hyperparameters import GapHyperparameters

__all__ = [
    "MEASURED_OVER_ESTIMATE",
    "DescriptorSize",
    "FitSize",
    "MemoryEstimate",
    "count_fit_size",
    "count_targets",
    "estimate_memory",
    "estimate_wall_time_s",
    "largest_n_sparse",
    "soap_dimension",
]

GIB = 1024**3
BYTES_PER_NUMBER = 8
VIRIAL_COMPONENTS = 6
"""gap_fit fits the 6 independent components of a (symmetric) virial."""

MEASURED_OVER_ESTIMATE = 1.10
"""Measured peak resident memory / the formula's peak is 0.95 to 1.10 on the four fits of
benchmarks/results/fit_memory_model.json (1.10: the CASTEP M = 1000 fit, 4.30 GiB measured);
the largest ratio, so the estimate does not understate a fit like those."""

WALL_TIME_COEFFICIENTS = {"covariance": 1.35e-9, "solve": 2.56e-11, "descriptors": 0.0}
"""Seconds per unit of :func:`estimate_wall_time_s`'s terms for one core of the benchmark
machine: non-negative least squares on the relative error of the four measured fits of
benchmarks/results/fit_memory_model.json (measured / predicted 0.8 to 1.8)."""


@dataclass
class DescriptorSize:
    """One descriptor of a fit: its dimension, sparse points and stored entries.

    Attributes
    ----------
    name
        ``soap`` or ``distance_2b``.
    dimension
        Length of one descriptor vector.
    n_sparse
        Sparse points gap_fit will use (M for this descriptor).
    n_descriptors
        Descriptor vectors in the training set (atoms for SOAP, ordered pairs for 2b).
    n_derivatives
        Partial-derivative entries (3 per atom-neighbour pair, self included, for SOAP).
    """

    name: str
    dimension: int
    n_sparse: int
    n_descriptors: int
    n_derivatives: int

    @property
    def bytes(self) -> int:
        """Return the memory of its descriptors and derivatives (bytes)."""
        return BYTES_PER_NUMBER * self.dimension * (self.n_descriptors + self.n_derivatives)


@dataclass
class FitSize:
    """What sets a fit's memory: training targets and descriptors.

    Attributes
    ----------
    n_configurations, n_atoms
        Training configurations and their atoms.
    n_energies, n_forces, n_virials
        Target counts: energies, force components, virial components.
    descriptors
        One entry per descriptor, in ``gap={...}`` order.
    """

    n_configurations: int
    n_atoms: int
    n_energies: int
    n_forces: int
    n_virials: int
    descriptors: list[DescriptorSize] = field(default_factory=list)

    @property
    def n_targets(self) -> int:
        """Return N_t, the rows of the fit's linear system (without the sparse points)."""
        return self.n_energies + self.n_forces + self.n_virials

    @property
    def n_sparse(self) -> int:
        """Return M, the sparse points of all descriptors."""
        return sum(d.n_sparse for d in self.descriptors)


@dataclass
class MemoryEstimate:
    """Peak memory of a fit, by gap_fit's parts (GiB).

    Attributes
    ----------
    descriptors_gib, covariances_gib
        The two parts.
    peak_gib
        The formula's peak (the larger of the two phases).
    expected_peak_gib
        ``peak_gib`` x :data:`MEASURED_OVER_ESTIMATE`: what the process's resident peak is.
    source
        ``gap_fit dryrun`` or ``model`` (neighbour-list counts).
    """

    descriptors_gib: float
    covariances_gib: float
    peak_gib: float
    expected_peak_gib: float
    source: str

    def as_dict(self) -> dict[str, float | str]:
        """Return the fields as a mapping."""
        return asdict(self)


def soap_dimension(l_max: int, n_max: int, n_species: int = 1) -> int:
    """Return the length of a SOAP power-spectrum vector (plus gap_fit's constant entry).

    Parameters
    ----------
    l_max, n_max
        Angular and radial orders.
    n_species
        Chemical species in the neighbour density.

    Returns
    -------
    int
        ``(l_max + 1) S n_max (S n_max + 1) / 2 + 1`` with S the species (253 for the small
        preset's l_max 6, n_max 8; 716 for GAP-18's l_max 12, n_max 10).
    """
    channels = n_species * n_max
    return (l_max + 1) * channels * (channels + 1) // 2 + 1


def estimate_memory(size: FitSize, source: str = "model") -> MemoryEstimate:
    """Apply gap_fit's memory formula (module docstring) to a fit's size.

    Parameters
    ----------
    size
        Targets and descriptors.
    source
        Where the counts come from, recorded in the estimate.

    Returns
    -------
    MemoryEstimate
        In GiB.
    """
    m, n_t = size.n_sparse, size.n_targets
    descriptors = sum(d.bytes for d in size.descriptors)
    y_big = BYTES_PER_NUMBER * m * n_t
    covariances = y_big + BYTES_PER_NUMBER * m * m + BYTES_PER_NUMBER * m * (n_t + m)
    peak = max(descriptors + y_big, covariances)
    return MemoryEstimate(
        descriptors_gib=descriptors / GIB,
        covariances_gib=covariances / GIB,
        peak_gib=peak / GIB,
        expected_peak_gib=peak * MEASURED_OVER_ESTIMATE / GIB,
        source=source,
    )


def largest_n_sparse(size: FitSize, memory_gib: float, soap_index: int = -1) -> int:
    """Return the largest SOAP M whose expected peak fits in ``memory_gib`` (0 if none).

    Parameters
    ----------
    size
        The fit (the other descriptors' sparse points are kept).
    memory_gib
        Memory available.
    soap_index
        Which descriptor's M changes (default: the last, SOAP in phonogap's order).

    Returns
    -------
    int
        M, found by bisection on :func:`estimate_memory`.
    """

    def fits(m: int) -> bool:
        descriptors = list(size.descriptors)
        descriptors[soap_index] = DescriptorSize(
            **{**asdict(descriptors[soap_index]), "n_sparse": m}
        )
        trial = FitSize(**{**asdict(size), "descriptors": descriptors})
        trial.descriptors = descriptors
        return estimate_memory(trial).expected_peak_gib <= memory_gib

    low, high = 0, max(1, size.descriptors[soap_index].n_descriptors)
    if fits(high):
        return high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def estimate_wall_time_s(size: FitSize, cores: int = 1) -> float:
    """Estimate gap_fit's wall time (s) on the benchmark machine.

    Three terms: the covariance of every sparse point with every derivative entry
    (sum over descriptors of M x derivatives x dimension), the QR solve ((N_t + M) M^2) and
    the descriptors (derivatives x dimension), with :data:`WALL_TIME_COEFFICIENTS`. A rough
    guide (within a factor of 2 on the measured fits), divided by ``cores`` for a parallel
    build.

    Parameters
    ----------
    size
        The fit.
    cores
        Ranks x threads of a parallel build (1 for the PyPI wheel).

    Returns
    -------
    float
        Seconds.
    """
    c = WALL_TIME_COEFFICIENTS
    covariance = sum(d.n_sparse * d.n_derivatives * d.dimension for d in size.descriptors)
    solve = (size.n_targets + size.n_sparse) * size.n_sparse**2
    descriptors = sum(d.n_derivatives * d.dimension for d in size.descriptors)
    seconds = c["covariance"] * covariance + c["solve"] * solve + c["descriptors"] * descriptors
    return seconds / max(1, cores)


def count_targets(configurations: Sequence[Atoms], has_virials: bool) -> tuple[int, int, int]:
    """Return the fit's energies, force components and virial components (6 per virial)."""
    energies = sum(ENERGY_KEY in atoms.info for atoms in configurations)
    forces = sum(3 * len(atoms) for atoms in configurations if FORCES_KEY in atoms.arrays)
    virials = (
        sum(VIRIAL_COMPONENTS for atoms in configurations if VIRIAL_KEY in atoms.info)
        if has_virials
        else 0
    )
    return energies, forces, virials


def _soap_sparse(hyper: GapHyperparameters, configurations: Sequence[Atoms]) -> int:
    """M of SOAP as gap_fit uses it: at most the atoms (of each listed config_type)."""
    n_atoms = sum(len(atoms) for atoms in configurations)
    if not hyper.config_type_n_sparse:
        return min(hyper.soap.n_sparse, n_atoms)
    per_type: dict[str, int] = {}
    for atoms in configurations:
        key = str(atoms.info.get(CONFIG_TYPE_KEY, "default"))
        per_type[key] = per_type.get(key, 0) + len(atoms)
    return sum(min(n, per_type.get(k, 0)) for k, n in hyper.config_type_n_sparse.items())


def count_fit_size(
    configurations: Sequence[Atoms], hyper: GapHyperparameters, has_virials: bool = True
) -> FitSize:
    """Count a fit's targets and descriptors with ASE's neighbour list (no gap_fit).

    Parameters
    ----------
    configurations
        The training configurations, with the labels they will have (energy, forces, virial).
    hyper
        Descriptors and sparse points.
    has_virials
        Whether virials are fitted.

    Returns
    -------
    FitSize
        Within 2% of gap_fit's own counts (measured on the CASTEP data).
    """
    from ase.neighborlist import neighbor_list

    species = {number for atoms in configurations for number in atoms.numbers}
    cutoffs = [hyper.soap.cutoff]
    if hyper.two_body is not None:
        cutoffs.append(hyper.two_body.cutoff)
    n_atoms = sum(len(atoms) for atoms in configurations)
    soap_entries = pair_entries = pairs = 0
    for atoms in configurations:
        distances = neighbor_list("d", atoms, max(cutoffs)) if len(atoms) > 1 else np.zeros(0)
        # a configuration with a virial needs 3 x 3 derivative entries, one without 3
        components = 9 if has_virials and VIRIAL_KEY in atoms.info else 3
        soap_entries += components * (len(atoms) + int((distances < hyper.soap.cutoff).sum()))
        if hyper.two_body is not None:
            in_range = int((distances < hyper.two_body.cutoff).sum())
            pairs += in_range
            pair_entries += 2 * components * in_range
    descriptors = []
    if hyper.two_body is not None:
        n_sparse = min(hyper.two_body.n_sparse, pairs)
        descriptors.append(DescriptorSize("distance_2b", 1, n_sparse, pairs, pair_entries))
    descriptors.append(
        DescriptorSize(
            "soap",
            soap_dimension(hyper.soap.l_max, hyper.soap.n_max, len(species)),
            _soap_sparse(hyper, configurations),
            n_atoms,
            soap_entries,
        )
    )
    energies, forces, virials = count_targets(configurations, has_virials)
    return FitSize(len(configurations), n_atoms, energies, forces, virials, descriptors)
