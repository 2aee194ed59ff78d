"""Hyperparameters of a fit to an extended database: the per-config_type sparse split."""

from __future__ import annotations

from phonogap.database.extend import RANDOMISED_SIGMA
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.schemas.keys import RANDOMISED


def split_hyperparameters(
    hyperparameters: GapHyperparameters,
    split: dict[str, int],
    randomised_sigma: tuple[float, float, float, float] = RANDOMISED_SIGMA,
) -> GapHyperparameters:
    """Return hyperparameters with the sparse split and the new randomised cells' sigma.

    Parameters
    ----------
    hyperparameters
        Descriptors and base sigmas (``config_type_sigma`` for the base config_types).
    split
        ``config_type_n_sparse``.
    randomised_sigma
        Fixed sigma of the new randomised cells (energy eV/atom, force eV/Å, virial, Hessian).

    Returns
    -------
    GapHyperparameters
        A copy; the input is not changed.
    """
    sigma = dict(hyperparameters.config_type_sigma)
    sigma.setdefault(RANDOMISED, tuple(randomised_sigma))
    # validate again so the split's config_type names are checked like user input
    return GapHyperparameters.model_validate(
        {
            **hyperparameters.model_dump(),
            "config_type_n_sparse": dict(split),
            "config_type_sigma": sigma,
        }
    )
