"""Settings of a GAP fit: hyperparameters (from a preset) and the Eq. 8 regularisation.

``FitSettings`` is what a Maker's ``fit`` field holds and what a workflow file's ``fit:``
section is validated against. ``preset`` (``gap18`` or ``small``) picks the starting
hyperparameters, ``hyperparameters`` changes any of their fields (nested mappings merge into the
preset's), and ``n_sparse`` sets M (rescaling a per-config_type split). ``launcher``
says how gap_fit starts (:mod:`phonogap.fitting.launcher`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.launcher import GapFitLauncher
from phonogap.schemas.presets import PRESET_KEY, deep_merge

HYPERPARAMETER_PRESETS = {"gap18": GapHyperparameters.gap18, "small": GapHyperparameters.small}
"""Named hyperparameter presets: GAP-18's descriptors, and a cheap one for demos and tests."""

N_SPARSE_KEY = "n_sparse"


class FitSettings(BaseModel):
    """How the GAP is fitted.

    Input-only keys, expanded by the validator: ``preset`` (``gap18``, the default, or
    ``small``) and ``n_sparse`` (M, the SOAP sparse points).
    """

    model_config = ConfigDict(extra="forbid")

    hyperparameters: GapHyperparameters = Field(
        default_factory=GapHyperparameters.gap18,
        description="GAP hyperparameters; a mapping here changes fields of the preset",
    )
    f: float | None = Field(
        0.001, gt=0, description="Eq. 8 factor of the atom-wise force sigmas (null: fixed)"
    )
    f_min: float = Field(0.01, gt=0, description="Eq. 8 force floor F_min (eV/Å)")
    launcher: GapFitLauncher | None = Field(
        None,
        description="How gap_fit starts: {prefix: [mpirun, -np, '8'], executable: gap_fit, "
        "n_threads: ...}; null: $PHONOGAP_GAP_FIT_COMMAND where the fit runs, else gap_fit "
        "on PATH. Not part of the fit cache's key (same potential)",
    )

    @model_validator(mode="before")
    @classmethod
    def _expand_preset(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        preset = data.pop(PRESET_KEY, None)
        n_sparse = data.pop(N_SPARSE_KEY, None)
        given = data.get("hyperparameters")
        if preset is None and n_sparse is None and not isinstance(given, dict):
            return data
        if preset is not None and preset not in HYPERPARAMETER_PRESETS:
            raise ValueError(
                f"unknown preset {preset!r}; choose one of {', '.join(HYPERPARAMETER_PRESETS)}"
            )
        if isinstance(given, GapHyperparameters):
            hyperparameters = given
        else:
            base = HYPERPARAMETER_PRESETS[preset or "gap18"]().model_dump()
            hyperparameters = GapHyperparameters.model_validate(deep_merge(base, given or {}))
        if n_sparse is not None:
            if not isinstance(n_sparse, int) or n_sparse < 1:
                raise ValueError(f"n_sparse must be a positive integer, got {n_sparse!r}")
            hyperparameters = hyperparameters.with_n_sparse(n_sparse)
        data["hyperparameters"] = hyperparameters
        return data

    @property
    def n_sparse(self) -> int:
        """Return M, the SOAP sparse points."""
        return self.hyperparameters.soap.n_sparse


class ExtensionFitSettings(FitSettings):
    """Fit settings of a database extension.

    ``f`` applies to the new single-displacement cells only and defaults to 0.01, the
    paper's choice that keeps transferability (0.001 breaks it). M is set by the extension's
    sparse split (``extension.n_sparse_base`` and ``extension.n_sparse_new``), not here.
    """

    f: float | None = Field(
        0.01, gt=0, description="Eq. 8 factor for the new single displacements (null: fixed)"
    )

    @model_validator(mode="before")
    @classmethod
    def _no_n_sparse(cls, data: Any) -> Any:
        if isinstance(data, dict) and N_SPARSE_KEY in data:
            raise ValueError(
                "n_sparse is set by the extension's sparse split; set "
                "'extension.n_sparse_base' and 'extension.n_sparse_new' instead"
            )
        return data
