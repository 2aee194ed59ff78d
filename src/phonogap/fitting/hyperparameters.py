"""GAP hyperparameters as validated pydantic models.

The defaults reproduce the SOAP part of GAP-18's own ``gap_fit`` command line
(Bartók et al., Phys. Rev. X 8, 041048 (2018)), which George et al.,
J. Chem. Phys. 153, 044104 (2020) start from. :meth:`GapHyperparameters.gap18`
is that production setting; :meth:`GapHyperparameters.small` is a cheap setting
for demos and tests.

Everything here is pure data: turning it into a ``gap_fit`` argument list is the
job of :func:`phonogap.fitting.gap_fit.gap_fit_arguments`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "GAP18_CONFIG_TYPE_SIGMA",
    "GapHyperparameters",
    "SigmaTuple",
    "SoapDescriptor",
    "TwoBodyDescriptor",
    "format_value",
]

SigmaTuple = tuple[float, float, float, float]
"""Expected errors ``(energy eV/atom, force eV/Å, virial eV/atom, Hessian eV/Å²)``."""

GAP18_CONFIG_TYPE_SIGMA: dict[str, SigmaTuple] = {
    "liq": (0.003, 0.15, 0.2, 0.0),
    "amorph": (0.01, 0.2, 0.4, 0.0),
    "sp": (0.01, 0.2, 0.4, 0.0),
}
"""GAP-18's per-config_type sigmas (liquid, amorphous, surfaces/sp)."""

_NAME = re.compile(r"^[A-Za-z0-9_.+\-]+$")
"""Characters allowed in config_type names that go into gap_fit's ``{a:..:b:..}`` lists."""


def format_value(value: object) -> str:
    """Format a scalar the way it should appear on a ``gap_fit`` command line.

    Parameters
    ----------
    value
        A bool, int, float or str.

    Returns
    -------
    str
        ``T``/``F`` for booleans, the decimal integer for ints, the shortest
        string that round-trips for floats (``0.5``, ``1e-08``), and strings
        unchanged.
    """
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot pass the non-finite value {value!r} to gap_fit")
        return repr(value)
    return str(value)


def _check_name(name: str, what: str) -> str:
    if not _NAME.match(name):
        raise ValueError(
            f"{what} {name!r} may only contain letters, digits and '_.+-' "
            "(gap_fit splits its lists on ':' and spaces)"
        )
    return name


def _check_sigma(sigma: SigmaTuple, what: str) -> SigmaTuple:
    energy, force, virial, hessian = sigma
    if energy <= 0.0 or force <= 0.0:
        raise ValueError(
            f"{what}: the energy and force sigmas must be > 0 (gap_fit divides by them), "
            f"got {sigma}"
        )
    if virial < 0.0 or hessian < 0.0:
        raise ValueError(f"{what}: the virial and Hessian sigmas must be >= 0, got {sigma}")
    return sigma


class SoapDescriptor(BaseModel):
    """The SOAP many-body descriptor and its dot-product kernel (``soap`` in gap_fit).

    Defaults are GAP-18's values.
    """

    model_config = ConfigDict(extra="forbid")

    l_max: int = Field(12, ge=0, le=20, description="Angular expansion order (dimensionless).")
    n_max: int = Field(10, ge=1, le=20, description="Radial expansion order (dimensionless).")
    atom_sigma: float = Field(
        0.5, gt=0.0, description="Width of the Gaussian smearing of each neighbour (Å)."
    )
    zeta: int = Field(
        4, ge=1, description="Exponent of the dot-product kernel, K = (p·p')^zeta (dimensionless)."
    )
    cutoff: float = Field(5.0, gt=0.0, description="Neighbour cutoff radius (Å).")
    cutoff_transition_width: float = Field(
        1.0, ge=0.0, description="Width of the smooth cutoff region inside `cutoff` (Å)."
    )
    central_weight: float = Field(
        1.0,
        ge=0.0,
        description="Weight of the central atom in the neighbour density (dimensionless).",
    )
    n_sparse: int = Field(
        9000,
        ge=1,
        description="Number of sparse (representative) atomic environments M (count). "
        "Ignored when GapHyperparameters.config_type_n_sparse is set.",
    )
    delta: float = Field(
        3.0, gt=0.0, description="Energy scale (prior standard deviation) of the SOAP term (eV)."
    )
    f0: float = Field(0.0, description="Prior mean of the SOAP term (eV).")
    covariance_type: Literal["dot_product"] = Field(
        "dot_product", description="Kernel type; SOAP uses the dot-product kernel."
    )
    sparse_method: Literal["cur_points", "random", "uniform", "cur_covariance"] = Field(
        "cur_points", description="How the sparse environments are chosen from the data."
    )

    @model_validator(mode="after")
    def _transition_inside_cutoff(self) -> SoapDescriptor:
        if self.cutoff_transition_width >= self.cutoff:
            raise ValueError(
                f"cutoff_transition_width ({self.cutoff_transition_width} Å) must be smaller "
                f"than cutoff ({self.cutoff} Å)"
            )
        return self

    def to_gap_string(
        self,
        n_sparse_override: int | None = None,
        config_type_n_sparse: Mapping[str, int] | None = None,
    ) -> str:
        """Return the descriptor as it goes inside ``gap={...}``.

        Parameters
        ----------
        n_sparse_override
            Use this many sparse points instead of :attr:`n_sparse`.
        config_type_n_sparse
            Sparse points per config_type. When given, ``n_sparse`` is left out:
            gap_fit aborts with "cannot specify both n_sparse and
            config_type_n_sparse".

        Returns
        -------
        str
            e.g. ``"soap l_max=12 n_max=10 atom_sigma=0.5 ... sparse_method=cur_points"``.
        """
        tokens = [
            "soap",
            f"l_max={self.l_max}",
            f"n_max={self.n_max}",
            f"atom_sigma={format_value(self.atom_sigma)}",
            f"zeta={self.zeta}",
            f"cutoff={format_value(self.cutoff)}",
            f"cutoff_transition_width={format_value(self.cutoff_transition_width)}",
            f"central_weight={format_value(self.central_weight)}",
        ]
        if config_type_n_sparse:
            pairs = ":".join(
                f"{_check_name(k, 'config_type')}:{int(v)}" for k, v in config_type_n_sparse.items()
            )
            tokens.append(f"config_type_n_sparse={{{pairs}}}")
        else:
            n_sparse = self.n_sparse if n_sparse_override is None else int(n_sparse_override)
            if n_sparse < 1:
                raise ValueError(f"n_sparse must be >= 1, got {n_sparse}")
            tokens.append(f"n_sparse={n_sparse}")
        tokens += [
            f"delta={format_value(self.delta)}",
            f"f0={format_value(self.f0)}",
            f"covariance_type={self.covariance_type}",
            f"sparse_method={self.sparse_method}",
        ]
        return " ".join(tokens)


class TwoBodyDescriptor(BaseModel):
    """A fitted pair term (``distance_2b`` with a squared-exponential kernel).

    GAP-18 has no fitted two-body term; it subtracts a fixed short-range
    repulsive core potential (``core_ip_args={IP Glue}`` with a ``glue.xml``
    parameter file) before fitting. We do not ship that file, so this term is
    the stand-in offered instead: a smooth pair energy learnt from the same
    data, which gives the model a physically sensible dimer curve and keeps
    relaxations of badly-sampled structures from collapsing atoms onto each
    other. Users who have ``glue.xml`` can instead pass
    ``extra={"core_ip_args": "{IP Glue}", "core_param_file": "glue.xml"}``.
    """

    model_config = ConfigDict(extra="forbid")

    cutoff: float = Field(5.0, gt=0.0, description="Pair cutoff radius (Å).")
    covariance_type: Literal["ard_se"] = Field(
        "ard_se", description="Squared-exponential kernel on the pair distance."
    )
    delta: float = Field(
        1.0, gt=0.0, description="Energy scale (prior standard deviation) of the pair term (eV)."
    )
    theta_uniform: float = Field(
        1.0, gt=0.0, description="Length scale of the squared-exponential kernel (Å)."
    )
    n_sparse: int = Field(
        15, ge=1, description="Number of sparse pair distances (count), spread uniformly."
    )
    sparse_method: Literal["uniform", "random", "cur_points"] = Field(
        "uniform", description="How the sparse pair distances are chosen."
    )

    def to_gap_string(self) -> str:
        """Return the descriptor as it goes inside ``gap={...}``.

        Returns
        -------
        str
            e.g. ``"distance_2b cutoff=5.0 covariance_type=ard_se delta=1.0 ..."``.
        """
        return " ".join(
            [
                "distance_2b",
                f"cutoff={format_value(self.cutoff)}",
                f"covariance_type={self.covariance_type}",
                f"delta={format_value(self.delta)}",
                f"theta_uniform={format_value(self.theta_uniform)}",
                f"n_sparse={self.n_sparse}",
                f"sparse_method={self.sparse_method}",
            ]
        )


_NonNegInt = Annotated[int, Field(ge=0)]


class GapHyperparameters(BaseModel):
    """Everything that defines a GAP fit apart from the data.

    Notes
    -----
    Regularisation ("sigma") values are the expected errors of the fitted
    observables: ``(energy eV/atom, force eV/Å, virial eV/atom, Hessian)``;
    gap_fit scales the energy and virial sigmas by sqrt(number of atoms).
    Three places can set them, the later overriding the earlier:
    :attr:`default_sigma`, :attr:`config_type_sigma` (by ``config_type``), and
    the data itself: ``info["energy_sigma"]``, ``info["force_sigma"]``,
    ``info["virial_sigma"]`` (absolute, not per atom) and the per-atom array
    ``arrays["force_atom_sigma"]`` (eV/Å) that carries the paper's Eq. 8.
    """

    model_config = ConfigDict(extra="forbid")

    soap: SoapDescriptor = Field(
        default_factory=SoapDescriptor, description="SOAP descriptor and kernel."
    )
    two_body: TwoBodyDescriptor | None = Field(
        None,
        description="Optional fitted pair term, the stand-in for GAP-18's glue core "
        "potential (None: SOAP only, as GAP-18's own command line).",
    )
    default_sigma: SigmaTuple = Field(
        (0.001, 0.1, 0.05, 0.0),
        description="Default expected errors (energy eV/atom, force eV/Å, virial eV/atom, "
        "Hessian eV/Å²).",
    )
    config_type_sigma: dict[str, SigmaTuple] = Field(
        default_factory=lambda: dict(GAP18_CONFIG_TYPE_SIGMA),
        description="Expected errors by config_type, same units as default_sigma.",
    )
    config_type_n_sparse: dict[str, _NonNegInt] | None = Field(
        None,
        description="SOAP sparse points by config_type (count); replaces soap.n_sparse. "
        "config_types not listed contribute no sparse points.",
    )
    sparse_jitter: float = Field(
        1.0e-8,
        gt=0.0,
        description="Diagonal regulariser of the sparse covariance matrix (dimensionless).",
    )
    e0_offset: float = Field(
        2.0,
        description="Added to e0 to set the baseline per-atom energy (eV); GAP-18 uses 2.0.",
    )
    e0: float | dict[str, float] | None = Field(
        None,
        description="Isolated-atom energy (eV), one value or by chemical symbol; None: "
        "taken from the isolated_atom configuration(s) of the training data.",
    )
    rnd_seed: int = Field(
        1,
        ge=1,
        description="Random seed passed to gap_fit for reproducible sparse-point selection. "
        "Must be >= 1: gap_fit aborts on 0 (its linear-congruential generator fails).",
    )
    extra: dict[str, str] = Field(
        default_factory=dict,
        description="Further gap_fit options, passed verbatim as key=value.",
    )

    @field_validator("default_sigma")
    @classmethod
    def _valid_default_sigma(cls, value: SigmaTuple) -> SigmaTuple:
        return _check_sigma(value, "default_sigma")

    @field_validator("config_type_sigma")
    @classmethod
    def _valid_config_type_sigma(cls, value: dict[str, SigmaTuple]) -> dict[str, SigmaTuple]:
        for name, sigma in value.items():
            _check_name(name, "config_type_sigma key")
            _check_sigma(sigma, f"config_type_sigma[{name!r}]")
        return value

    @field_validator("config_type_n_sparse")
    @classmethod
    def _valid_config_type_n_sparse(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value is None:
            return None
        if not value or sum(value.values()) < 1:
            raise ValueError("config_type_n_sparse must ask for at least one sparse point in total")
        for name in value:
            _check_name(name, "config_type_n_sparse key")
        return value

    @field_validator("e0")
    @classmethod
    def _valid_e0(cls, value: float | dict[str, float] | None) -> float | dict[str, float] | None:
        if isinstance(value, dict):
            from ase.data import atomic_numbers

            for symbol in value:
                if symbol not in atomic_numbers or symbol == "X":
                    raise ValueError(f"e0 key {symbol!r} is not a chemical symbol")
        return value

    @field_validator("extra")
    @classmethod
    def _valid_extra(cls, value: dict[str, str]) -> dict[str, str]:
        for key, val in value.items():
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
                raise ValueError(f"extra option name {key!r} is not a gap_fit option name")
            if any(c in str(val) for c in "\n\r\"'"):
                raise ValueError(f"extra[{key!r}] must not contain quotes or newlines: {val!r}")
        return value

    @property
    def total_n_sparse(self) -> int:
        """Total number of SOAP sparse points M (count)."""
        if self.config_type_n_sparse:
            return sum(self.config_type_n_sparse.values())
        return self.soap.n_sparse

    def gap_string(self) -> str:
        """Return the value of gap_fit's ``gap=`` option, braces included.

        Returns
        -------
        str
            ``{distance_2b ... : soap ...}`` or ``{soap ...}``.
        """
        parts = []
        if self.two_body is not None:
            parts.append(self.two_body.to_gap_string())
        parts.append(self.soap.to_gap_string(config_type_n_sparse=self.config_type_n_sparse))
        return "{" + " : ".join(parts) + "}"

    def with_n_sparse(self, n_sparse: int) -> GapHyperparameters:
        """Return a copy with M = ``n_sparse`` SOAP sparse points.

        Parameters
        ----------
        n_sparse
            New total number of SOAP sparse points (count, >= 1).

        Returns
        -------
        GapHyperparameters
            A new object; this one is not changed. If
            :attr:`config_type_n_sparse` is set, its counts are rescaled in
            proportion so that they sum to ``n_sparse`` (largest-remainder
            rounding, so the total is exact).
        """
        if n_sparse < 1:
            raise ValueError(f"n_sparse must be >= 1, got {n_sparse}")
        soap = self.soap.model_copy(update={"n_sparse": int(n_sparse)})
        update: dict[str, object] = {"soap": soap}
        if self.config_type_n_sparse:
            update["config_type_n_sparse"] = _rescale(self.config_type_n_sparse, int(n_sparse))
        return self.model_copy(update=update, deep=True)

    @classmethod
    def gap18(cls) -> GapHyperparameters:
        """Return GAP-18's hyperparameters (PAPER.md, "GAP-18 hyperparameters").

        SOAP only (no fitted pair term): GAP-18's short-range repulsion came from
        a fixed glue core potential whose parameter file we do not have, and a
        fitted ``distance_2b`` term would change how the energy is partitioned
        relative to the published model and its regularisation. Add one
        explicitly with ``two_body=TwoBodyDescriptor()`` if wanted.

        Returns
        -------
        GapHyperparameters
            M = 9000, l_max = 12, n_max = 10, zeta = 4, cutoff 5 Å,
            default_sigma (0.001, 0.1, 0.05, 0.0), GAP-18's config_type_sigma,
            sparse_jitter 1e-8, e0_offset 2.0.
        """
        return cls()

    @classmethod
    def small(cls) -> GapHyperparameters:
        """Return a cheap setting for demos and tests.

        l_max = 6, n_max = 8, M = 300 SOAP sparse points, plus the fitted pair
        term: with the few hundred configurations a demo has, SOAP alone says
        nothing about short distances that the data never visit, and the pair
        term (15 sparse points, negligible cost) keeps relaxations and phonon
        displacements of structures outside the data well behaved.

        Returns
        -------
        GapHyperparameters
            Fits a few hundred small-cell configurations in seconds on 2 cores.
        """
        return cls(
            soap=SoapDescriptor(l_max=6, n_max=8, n_sparse=300),
            two_body=TwoBodyDescriptor(),
        )


def _rescale(counts: Mapping[str, int], total: int) -> dict[str, int]:
    """Rescale integer counts to sum to ``total`` (largest-remainder rounding)."""
    old_total = sum(counts.values())
    exact = {k: v * total / old_total for k, v in counts.items()}
    result = {k: math.floor(x) for k, x in exact.items()}
    left = total - sum(result.values())
    by_remainder = sorted(exact, key=lambda k: exact[k] - result[k], reverse=True)
    for key in by_remainder[:left]:
        result[key] += 1
    return result
