"""Melt–quench molecular dynamics and the snapshot error benchmark (the paper's Table)."""

from phonogap.md.jobs import MeltQuenchMaker, melt_quench_errors, melt_quench_md
from phonogap.md.protocol import MeltQuenchSettings, run_melt_quench, run_melt_quench_isolated

__all__ = [
    "MeltQuenchMaker",
    "MeltQuenchSettings",
    "melt_quench_errors",
    "melt_quench_md",
    "run_melt_quench",
    "run_melt_quench_isolated",
]
