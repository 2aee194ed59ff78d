"""Deprecated: ``phonogap.plotting_md`` moved to :mod:`phonogap.report.figures_md`.

Kept for one release: each old name resolves with a ``DeprecationWarning`` naming its new path.
"""

from __future__ import annotations

from typing import Any

from phonogap.deprecation import moved_attribute

DEPRECATED_ALIASES: dict[str, str] = {
    "plot_melt_quench_errors": "phonogap.report.figures_md:plot_melt_quench_errors",
    "plot_melt_quench_thermo": "phonogap.report.figures_md:plot_melt_quench_thermo",
    "plot_phase_errors": "phonogap.report.figures_md:plot_phase_errors",
    "plot_rms_comparison": "phonogap.report.figures_md:plot_rms_comparison",
}
"""Old name to ``"new.module:attribute"``."""


def __getattr__(name: str) -> Any:
    """Resolve an old name at its new path (PEP 562)."""
    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
