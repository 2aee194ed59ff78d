"""Science layer: GAP fits with gap_fit (hyperparameters, command, training errors).

Science layer: pure functions and settings, no jobflow; the fit jobs live in
:mod:`phonogap.jobs.fitting`.
"""

from __future__ import annotations

from phonogap.fitting.errors import TrainingErrors, load_potential, prediction_errors
from phonogap.fitting.gap_fit import (
    e0_from_isolated_atoms,
    format_command,
    gap_fit_arguments,
    resolve_e0,
)
from phonogap.fitting.gap_fit_run import GapFitError, GapFitRun, run_gap_fit
from phonogap.fitting.hyperparameters import (
    GAP18_CONFIG_TYPE_SIGMA,
    GapHyperparameters,
    SoapDescriptor,
    TwoBodyDescriptor,
)
from phonogap.fitting.potential_files import potential_checksum, potential_files

__all__ = [
    "GAP18_CONFIG_TYPE_SIGMA",
    "GapFitError",
    "GapFitRun",
    "GapHyperparameters",
    "SoapDescriptor",
    "TrainingErrors",
    "TwoBodyDescriptor",
    "e0_from_isolated_atoms",
    "format_command",
    "gap_fit_arguments",
    "load_potential",
    "potential_checksum",
    "potential_files",
    "prediction_errors",
    "resolve_e0",
    "run_gap_fit",
]
