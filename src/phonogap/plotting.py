"""Deprecated: ``phonogap.plotting`` moved to :mod:`phonogap.report.figures`.

Kept for one release: each old name resolves with a ``DeprecationWarning`` naming its new path.
"""

from __future__ import annotations

from typing import Any

from phonogap.deprecation import moved_attribute

DEPRECATED_ALIASES: dict[str, str] = {
    "POTENTIAL_COLOR": "phonogap.report.figures:POTENTIAL_COLOR",
    "REFERENCE_COLOR": "phonogap.report.figures:REFERENCE_COLOR",
    "plot_band_overlay": "phonogap.report.figures:plot_band_overlay",
    "plot_kappa": "phonogap.report.figures:plot_kappa",
    "plot_rms_bars": "phonogap.report.figures:plot_rms_bars",
    "plot_scan": "phonogap.report.figures:plot_scan",
}
"""Old name to ``"new.module:attribute"``."""


def __getattr__(name: str) -> Any:
    """Resolve an old name at its new path (PEP 562)."""
    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
