"""Plots of the melt-quench and extension benchmarks write non-empty PNGs."""

from __future__ import annotations

from pathlib import Path

from phonogap.report.figures_md import (
    plot_melt_quench_errors,
    plot_melt_quench_thermo,
    plot_phase_errors,
    plot_rms_comparison,
)


def rows(scale: float) -> list[dict]:
    phases = ["defective_crystal"] * 2 + ["liquid"] * 2 + ["amorphous"] * 2
    return [
        {
            "time_ps": float(i),
            "phase": phase,
            "energy_error_mev_per_atom": scale * (i + 1),
            "force_rmse_ev_per_ang": 0.1 * scale,
        }
        for i, phase in enumerate(phases)
    ]


def test_plots_are_written(tmp_path: Path) -> None:
    errors = {"base": rows(1.0), "extended": rows(2.0)}
    phase = {"base": {"liquid": {"energy_mae_mev_per_atom": 3.0, "force_rmse_ev_per_ang": 0.2}}}
    thermo = {
        "time_ps": [0, 1, 2],
        "temperature_k": [300, 1800, 300],
        "target_temperature_k": [300, 1800, 300],
        "density_g_cm3": [2.33, 2.5, 2.3],
    }
    outputs = [
        plot_melt_quench_errors(errors, tmp_path / "errors.png"),
        plot_phase_errors(phase, tmp_path / "phases.png"),
        plot_melt_quench_thermo(thermo, tmp_path / "thermo.png"),
        plot_rms_comparison({"base": {"mp-149": 0.3}, "ext": {"mp-149": 0.05}}, tmp_path / "r.png"),
    ]
    for out in outputs:
        assert out.stat().st_size > 10_000
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
