"""Melt–quench benchmark at the CI preset: the three phases exist and errors are exact."""

from __future__ import annotations

import numpy as np
import pytest
from jobflow import run_locally

from phonogap.flows.melt_quench import MeltQuenchMaker
from phonogap.md import MeltQuenchSettings
from phonogap.md.errors import paired_force_changes
from phonogap.md.protocol import (
    AMORPHOUS,
    DEFECTIVE_CRYSTAL,
    LIQUID,
    defective_diamond,
)
from phonogap.reference.stillinger_weber import StillingerWeberReference
from phonogap.schemas.md import MeltQuenchErrorsDocument

SCALED_EPS = 1.02


@pytest.fixture(scope="module")
def melt_quench(tmp_path_factory: pytest.TempPathFactory) -> MeltQuenchErrorsDocument:
    sw = StillingerWeberReference()
    scaled = StillingerWeberReference(epsilon_ev=sw.epsilon_ev * SCALED_EPS)
    flow = MeltQuenchMaker(settings=MeltQuenchSettings.ci(), n_workers=1).make(
        {"sw": sw, "sw_eps_scaled": scaled}
    )
    root = tmp_path_factory.mktemp("mq")
    responses = run_locally(flow, root_dir=root, create_folders=True, ensure_success=True)
    return responses[flow.jobs[-1].uuid][1].output


def test_defective_diamond_counts() -> None:
    settings = MeltQuenchSettings.paper()
    atoms = defective_diamond(settings)
    assert len(atoms) == 512 - 12
    assert settings.cooling_steps == 150_000  # 1,500 K at 10 K/ps with 1 fs steps
    again = defective_diamond(settings)
    assert np.allclose(atoms.positions, again.positions)  # seeded vacancies


def test_settings_reject_too_many_vacancies() -> None:
    with pytest.raises(ValueError, match="n_vacancies"):
        MeltQuenchSettings(supercell_repeat=1, n_vacancies=8)


def test_three_phases_temperatures_and_structure(melt_quench: MeltQuenchErrorsDocument) -> None:
    phases = melt_quench.phase_diagnostics
    assert set(phases) == {DEFECTIVE_CRYSTAL, LIQUID, AMORPHOUS}
    crystal, liquid, amorphous = phases[DEFECTIVE_CRYSTAL], phases[LIQUID], phases[AMORPHOUS]
    assert 200 < crystal["temperature_k"] < 420
    assert 2300 < liquid["temperature_k"] < 3700
    assert 200 < amorphous["temperature_k"] < 700
    # crystal: four-fold minus vacancy neighbours, atoms stay on their sites
    assert 3.75 < crystal["coordination"] < 4.0
    assert crystal["rms_displacement_ang"] < 0.2
    # liquid: over-coordinated and diffusing; amorphous: disordered but frozen
    assert liquid["coordination"] > crystal["coordination"] + 0.05
    assert liquid["mobility_ang"] > 3 * crystal["mobility_ang"]
    assert amorphous["rms_displacement_ang"] > 5 * crystal["rms_displacement_ang"]
    assert amorphous["mobility_ang"] < liquid["mobility_ang"]
    # Stillinger-Weber silicon densifies on melting, like real silicon
    assert liquid["density_g_cm3"] > crystal["density_g_cm3"]
    assert 2.1 < crystal["density_g_cm3"] < 2.4


def test_phase_errors_exact_for_reference_and_scaled_reference(
    melt_quench: MeltQuenchErrorsDocument,
) -> None:
    assert melt_quench.n_atoms == 62
    errors = melt_quench.phase_errors
    for phase in (DEFECTIVE_CRYSTAL, LIQUID, AMORPHOUS):
        assert errors["sw"][phase].energy_mae_mev_per_atom < 1e-6
        assert errors["sw"][phase].force_rmse_ev_per_ang < 1e-8
    assert errors["sw"][LIQUID].n_snapshots == 5
    # SW energies and forces are linear in epsilon: a 2 % larger epsilon gives errors of
    # exactly 2 % of the reference values
    rows = melt_quench.snapshot_errors["sw_eps_scaled"]
    assert len(rows) == melt_quench.n_snapshots
    liquid = errors["sw_eps_scaled"][LIQUID]
    assert liquid.energy_mean_mev_per_atom == pytest.approx(
        -liquid.energy_mae_mev_per_atom
    )  # more binding everywhere
    for row in rows:
        expected = (SCALED_EPS - 1.0) * row.reference_energy_ev_per_atom * 1000.0
        assert row.energy_error_mev_per_atom == pytest.approx(expected, rel=1e-6)
    crystal_energy = errors["sw_eps_scaled"][DEFECTIVE_CRYSTAL].energy_mae_mev_per_atom
    assert 0.02 * 3900 < crystal_energy < 0.02 * 4340  # SW cohesive energy 4.34 eV/atom
    assert (
        liquid.force_rmse_ev_per_ang
        > errors["sw_eps_scaled"][DEFECTIVE_CRYSTAL].force_rmse_ev_per_ang
    )
    table = melt_quench.table()
    assert len(table) == 6


def test_paired_force_changes_cancel_snapshot_spread() -> None:
    """A potential 2% worse on every snapshot is 'worse' even when snapshots differ 10x."""
    base = [
        {"index": i, "phase": phase, "force_rmse_ev_per_ang": 0.02 * (i + 1)}
        for i, phase in enumerate(["liquid"] * 6 + ["amorphous"] * 3)
    ]
    worse = [row | {"force_rmse_ev_per_ang": row["force_rmse_ev_per_ang"] * 1.02} for row in base]
    noisy = [
        row | {"force_rmse_ev_per_ang": row["force_rmse_ev_per_ang"] * (1 + 0.01 * (-1) ** i)}
        for i, row in enumerate(base)
    ]
    table = paired_force_changes(worse, base)
    assert table["liquid"]["n_snapshots"] == 5
    assert table["liquid"]["change_percent"] == pytest.approx(2.0)
    assert table["liquid"]["verdict"] == "worse"
    assert set(table) == {"liquid", "amorphous"}
    assert paired_force_changes(noisy, base)["liquid"]["verdict"] == "same"
    with pytest.raises(ValueError, match="same snapshots"):
        paired_force_changes(worse[:-1], base[:-1][::-1])
