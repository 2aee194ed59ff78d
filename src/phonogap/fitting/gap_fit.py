"""Build the ``gap_fit`` command line (running it: :mod:`phonogap.fitting.gap_fit_run`).

The command is an argument list (never a shell string), so paths and option
values with spaces or braces need no quoting: ``gap={soap l_max=12 ...}`` is a
single element. The executable comes from ``quippy-ase`` (``pip install
quippy-ase``), which puts ``gap_fit`` and ``quip`` on ``PATH``.

Verified against the gap_fit shipped with quippy-ase 0.10.3 (GAP v0.10.3):

- per-atom force regularisation is read from the per-atom array
  ``force_atom_<sigma_parameter_name>``; we pass ``sigma_parameter_name=sigma``
  so the array is ``force_atom_sigma`` (:data:`~phonogap.schemas.keys.FORCE_ATOM_SIGMA_KEY`)
  and per-configuration ``energy_sigma``/``force_sigma``/``virial_sigma`` info
  keys are honoured too;
- a frame without the energy key contributes forces (and virials) only; with no
  energies at all the fit runs, but energies are then known only up to a
  constant per atom (relative energies are still learnt from the forces);
- ``config_type_n_sparse={a:n:b:m}`` goes inside the descriptor string and must
  not be combined with ``n_sparse`` (gap_fit aborts);
- a config_type left out of ``config_type_n_sparse`` gets no sparse points;
  leaving out ``isolated_atom`` made the training force error 5x worse;
- ``rnd_seed=0`` aborts (the random generator rejects a zero seed); with a
  fixed seed two fits give identical files apart from the time-stamped label;
- gap_fit does not create the output directory (it crashes writing sparseX);
- a 3x3 virial must be written as 9 numbers: ASE writes an ``info`` 3x3 array
  under any key other than ``virial``/``stress``/``Lattice`` as ``_JSON [[...]]``,
  which gap_fit silently ignores (see :attr:`GapFitRun.n_targets`).
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from ase import Atoms

from phonogap.fitting.hyperparameters import GapHyperparameters, SigmaTuple, format_value
from phonogap.schemas.keys import (
    CONFIG_TYPE_KEY,
    ENERGY_KEY,
    FORCE_ATOM_SIGMA_KEY,
    FORCES_KEY,
    ISOLATED_ATOM,
    VIRIAL_KEY,
)

__all__ = [
    "GAP_FIT_EXECUTABLE",
    "IGNORE",
    "LOG_NAME",
    "e0_from_isolated_atoms",
    "format_command",
    "gap_fit_arguments",
    "resolve_e0",
]

logger = logging.getLogger(__name__)

GAP_FIT_EXECUTABLE = "gap_fit"
"""Name of the executable looked up on ``PATH``."""

LOG_NAME = "gap_fit.log"
"""File in the work directory that receives gap_fit's stdout and stderr."""

IGNORE = "//IGNORE//"
"""A property name that never occurs in a file: gap_fit's own way to switch a key off."""

INSTALL_HINT = (
    "gap_fit was not found on PATH. Install it with `pip install quippy-ase` "
    "(which ships the gap_fit and quip executables), or build QUIP with GAP "
    "(https://github.com/libAtoms/QUIP) and put its gap_fit on PATH."
)

_SIGMA_PARAMETER_NAME = FORCE_ATOM_SIGMA_KEY.removeprefix("force_atom_")
"""gap_fit reads the per-atom force sigma from ``force_atom_<sigma_parameter_name>``."""

_MANAGED_OPTIONS = frozenset(
    {
        "atoms_filename",
        "at_file",
        "gap",
        "gap_file",
        "gp_file",
        "default_sigma",
        "default_kernel_regularisation",
        "config_type_sigma",
        "config_type_kernel_regularisation",
        "e0",
        "e0_offset",
        "sparse_jitter",
        "energy_parameter_name",
        "force_parameter_name",
        "virial_parameter_name",
        "stress_parameter_name",
        "config_type_parameter_name",
        "sigma_parameter_name",
        "kernel_regularisation_parameter_name",
        "do_copy_at_file",
        "do_copy_atoms_file",
        "sparse_separate_file",
        "rnd_seed",
    }
)
"""Options :func:`gap_fit_arguments` sets itself; ``extra`` must not repeat them."""


def _sigma_tuple(sigma: SigmaTuple) -> str:
    return " ".join(format_value(float(s)) for s in sigma)


def _e0_value(e0: float | Mapping[str, float]) -> str:
    if isinstance(e0, Mapping):
        if not e0:
            raise ValueError("e0 given as an empty mapping; give one energy per element")
        return "{" + ":".join(f"{s}:{format_value(float(v))}" for s, v in e0.items()) + "}"
    return format_value(float(e0))


def gap_fit_arguments(
    hyper: GapHyperparameters,
    training_xyz: Path,
    output_xml: Path,
    *,
    e0: float | Mapping[str, float],
    has_virials: bool,
    energy_key: str = ENERGY_KEY,
    force_key: str = FORCES_KEY,
    virial_key: str = VIRIAL_KEY,
    config_type_key: str = CONFIG_TYPE_KEY,
    extra: Sequence[str] = (),
) -> list[str]:
    """Return the gap_fit command as an argument list.

    Parameters
    ----------
    hyper
        Descriptors, kernels and regularisation.
    training_xyz
        Extended-XYZ training file (relative paths are relative to the
        directory gap_fit runs in).
    output_xml
        Where gap_fit writes the potential (same convention); the sparseX files
        go next to it.
    e0
        Isolated-atom energy (eV): one value for all elements or by chemical
        symbol (see :func:`resolve_e0`). Passed explicitly, so gap_fit never
        needs the isolated atom's energy to be in the file.
    has_virials
        Fit virials found under ``virial_key``. If False the virial key is
        switched off even if present.
    energy_key, force_key, virial_key, config_type_key
        Names of the labels in the file.
    extra
        Further ``key=value`` tokens, appended last.

    Returns
    -------
    list[str]
        ``["gap_fit", "atoms_filename=...", ..., "gap={...}", ...]``; pass it to
        :func:`run_gap_fit`. ``stress_parameter_name`` is always switched off so
        that a ``stress`` left by an attached ASE calculator is never fitted.
    """
    for name, value in hyper.extra.items():
        if name in _MANAGED_OPTIONS:
            raise ValueError(
                f"GapHyperparameters.extra sets {name!r}, which gap_fit_arguments sets itself; "
                "use the corresponding field or argument instead"
            )
        if not value:
            raise ValueError(f"GapHyperparameters.extra[{name!r}] is empty")
    for token in extra:
        if "=" not in token:
            raise ValueError(f"extra gap_fit token {token!r} is not of the form key=value")
        if token.split("=", 1)[0] in _MANAGED_OPTIONS:
            raise ValueError(f"extra token {token!r} repeats an option gap_fit_arguments sets")

    if hyper.config_type_n_sparse and ISOLATED_ATOM not in hyper.config_type_n_sparse:
        logger.warning(
            "config_type_n_sparse %s gives the %r configuration no sparse point; its energy "
            "then strains the fit (measured: training force RMSE x5). Add %r: 1.",
            hyper.config_type_n_sparse,
            ISOLATED_ATOM,
            ISOLATED_ATOM,
        )
    args = [
        GAP_FIT_EXECUTABLE,
        f"atoms_filename={training_xyz}",
        f"gap_file={output_xml}",
        f"gap={hyper.gap_string()}",
        f"default_sigma={{{_sigma_tuple(hyper.default_sigma)}}}",
    ]
    if hyper.config_type_sigma:
        entries = ":".join(
            f"{name}:" + ":".join(format_value(float(s)) for s in sigma)
            for name, sigma in hyper.config_type_sigma.items()
        )
        args.append(f"config_type_sigma={{{entries}}}")
    args += [
        f"e0={_e0_value(e0)}",
        f"e0_offset={format_value(float(hyper.e0_offset))}",
        f"sparse_jitter={format_value(float(hyper.sparse_jitter))}",
        f"energy_parameter_name={energy_key}",
        f"force_parameter_name={force_key}",
        f"virial_parameter_name={virial_key if has_virials else IGNORE}",
        f"stress_parameter_name={IGNORE}",
        f"config_type_parameter_name={config_type_key}",
        f"sigma_parameter_name={_SIGMA_PARAMETER_NAME}",
        "do_copy_at_file=F",
        "sparse_separate_file=T",
        f"rnd_seed={hyper.rnd_seed}",
    ]
    args += [f"{name}={value}" for name, value in hyper.extra.items()]
    args += list(extra)
    return args


def format_command(arguments: Sequence[str]) -> str:
    """Return the argument list as one shell-quoted line, for logs and humans.

    Parameters
    ----------
    arguments
        An argument list from :func:`gap_fit_arguments`.

    Returns
    -------
    str
        A line that reproduces the run when pasted into a POSIX shell.
    """
    return shlex.join(arguments)


def e0_from_isolated_atoms(
    configurations: Sequence[Atoms],
    *,
    energy_key: str = ENERGY_KEY,
    config_type_key: str = CONFIG_TYPE_KEY,
) -> dict[str, float]:
    """Return the isolated-atom energies found in the configurations.

    Parameters
    ----------
    configurations
        Training configurations; those with ``config_type`` ``isolated_atom``
        must hold a single atom and its energy.
    energy_key, config_type_key
        Label names.

    Returns
    -------
    dict[str, float]
        Energy (eV) by chemical symbol; empty if there is no isolated atom.
    """
    e0: dict[str, float] = {}
    for index, atoms in enumerate(configurations):
        if atoms.info.get(config_type_key) != ISOLATED_ATOM:
            continue
        if len(atoms) != 1:
            raise ValueError(
                f"configuration {index} has config_type {ISOLATED_ATOM!r} but {len(atoms)} atoms"
            )
        if energy_key not in atoms.info:
            raise ValueError(
                f"isolated-atom configuration {index} has no {energy_key!r} in its info"
            )
        symbol = atoms.get_chemical_symbols()[0]
        energy = float(atoms.info[energy_key])
        if symbol in e0 and not np.isclose(e0[symbol], energy, rtol=0.0, atol=1e-6):
            raise ValueError(
                f"two isolated {symbol} atoms with different energies: {e0[symbol]} and {energy} eV"
            )
        e0[symbol] = energy
    return e0


def resolve_e0(
    hyper: GapHyperparameters,
    configurations: Sequence[Atoms],
    *,
    energy_key: str = ENERGY_KEY,
) -> float | dict[str, float]:
    """Return the ``e0`` to pass to :func:`gap_fit_arguments`.

    Parameters
    ----------
    hyper
        If ``hyper.e0`` is set it is returned unchanged.
    configurations
        Otherwise the isolated-atom configurations among these give e0.

    Returns
    -------
    float or dict[str, float]
        Isolated-atom energy (eV), by chemical symbol unless ``hyper.e0`` is a float.

    Raises
    ------
    ValueError
        If ``hyper.e0`` is None and an element of the data has no isolated atom.
    """
    if hyper.e0 is not None:
        return hyper.e0
    e0 = e0_from_isolated_atoms(configurations, energy_key=energy_key)
    species = sorted({s for atoms in configurations for s in atoms.get_chemical_symbols()})
    missing = [s for s in species if s not in e0]
    if missing:
        raise ValueError(
            f"no isolated_atom configuration with {energy_key!r} for {missing}: add one "
            "(config_type='isolated_atom', one atom in a large box) or set GapHyperparameters.e0"
        )
    return {s: e0[s] for s in species}
