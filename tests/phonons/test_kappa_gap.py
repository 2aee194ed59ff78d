"""Kappa of diamond Si with a small GAP fitted to Stillinger-Weber data, in CI time.

The whole chain on one core budget: SW-labelled training data (one 0.01 Å single
displacement, randomised supercells, 0.05 Å rattled supercells for the anharmonicity, the
isolated atom), a small ``gap_fit``, relaxation with the GAP, 16 random ± displacements of
0.03 Å in the 2x2x2 conventional cell (fc2 + fc3 fitted by symfc), RTA on an 11³ mesh.

Choices (measured on a loaded 2-core machine, SW kappa 500.9 / 225.0 / 147.0 W/m K at
300 / 600 / 900 K from ``test_kappa.py``):

* SOAP ``l_max=4, n_max=6``, M = 150, and cutoff 3.7 Å (transition 0.5 Å) for SOAP and the
  pair term: Stillinger-Weber acts within 3.77 Å only (first neighbours), so a 5 Å SOAP has
  to learn that the second and third shells do nothing, from a few cells. kappa(300 K) / SW
  with a 5 Å cutoff was 0.60 (4 cells rattled by 0.03 Å), 0.77 (16 such cells), 0.86
  (l_max 6, n_max 8, M = 300, 8 cells rattled by 0.05 Å); with 8 cells rattled by 0.05 Å and
  l_max 4: 0.94 at 4 Å and 1.03 at 3.7 Å, whose fit takes ~6 s instead of 10-35 s.
* Eq. 8 atom-wise force sigmas (f = 0.01) on the single displacement *and* the rattled
  cells: with the preset's 0.1 eV/Å force sigma on the rattled cells kappa came out 0.50x
  SW (fc3 errors only add scattering, so a loose fit loses kappa, the paper's lesson).
* 16 random displacements instead of 111 pair displacements: the forces cost 7x less, and
  for SW they agree with full finite displacements within 0.2 % (benchmarks/kappa_si.py).
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from pymatgen.core import Structure
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from phonogap.database.displacements import single_displacement_supercells
from phonogap.database.isolated_atom import isolated_atom
from phonogap.database.randomised import randomised_supercells
from phonogap.fitting.fit_in_directory import fit_gap_in_directory
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.phonons.kappa import KappaSettings, kappa_with_reference
from phonogap.reference import get_reference
from phonogap.reference.evaluate import evaluate_configurations
from phonogap.reference.gap import GapPotential
from phonogap.schemas.keys import CONFIG_TYPE_KEY, SINGLE_DISPLACEMENT
from phonogap.structures.relax import relax_structure

SW_KAPPA_FD_11 = (500.85, 224.96, 147.03)  # test_kappa.py: SW itself, 111 pair displacements
RATTLED = "rattled"

# Measured kappa(GAP) / kappa(SW): 1.029 / 1.026 / 1.026 at 300 / 600 / 900 K with the seeds
# below, 1.022-1.024 at 300 K with three other data seeds; 16 random displacements agreed with
# 111 pair displacements within 0.2 % for the same GAP. 7 % is the largest deviation seen
# (+2.9 %) plus margin for other gap_fit/BLAS/phono3py builds; it still fails the fits seen
# while tuning (0.5-0.94x SW: loose rattled sigmas, 5 Å or 4 Å cutoff).
RELATIVE_TOLERANCE = 0.07


def small_gap_hyperparameters() -> GapHyperparameters:
    """The small preset, made cheaper and matched to SW's 3.77 Å range (module docstring)."""
    hyper = GapHyperparameters.small().with_n_sparse(150)
    soap = hyper.soap.model_copy(
        update={"l_max": 4, "n_max": 6, "cutoff": 3.7, "cutoff_transition_width": 0.5}
    )
    assert hyper.two_body is not None
    two_body = hyper.two_body.model_copy(update={"cutoff": 3.7})
    return hyper.model_copy(update={"soap": soap, "two_body": two_body})


@pytest.fixture(scope="module")
def sw_gap_kappa(bundled_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Fit the small GAP to SW data and compute its kappa; return results and timings."""
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    sw = get_reference("sw")
    diamond = Structure.from_file(bundled_dir / "george2020_castep_phonons" / "POSCAR_diamond")
    diamond = relax_structure(diamond, sw.calculator()).structure
    conventional = SpacegroupAnalyzer(diamond).get_conventional_standard_structure()
    single, _ = single_displacement_supercells(conventional, [2, 2, 2], 0.01)
    randomised = randomised_supercells(conventional, [2, 2, 2], count=4, seed=0)
    rattled = randomised_supercells(
        conventional, [2, 2, 2], count=8, scale_range=(1.0, 1.0), rattle_std=0.05, seed=1
    )
    for atoms in rattled:
        atoms.info[CONFIG_TYPE_KEY] = RATTLED
    training = evaluate_configurations(sw, [*single, *randomised, *rattled, isolated_atom()])
    fit = fit_gap_in_directory(
        training,
        small_gap_hyperparameters(),
        tmp_path_factory.mktemp("gap"),
        f=0.01,
        atomwise_config_types=(SINGLE_DISPLACEMENT, RATTLED),
    )
    gap = GapPotential(xml_path=fit.potential_xml)
    relaxed = relax_structure(diamond, gap.calculator(), fmax=1e-5).structure
    settings = KappaSettings(method="random_displacements", n_random_supercells=16)
    run = kappa_with_reference(relaxed, gap, settings)
    return {
        "run": run,
        "fit": fit,
        "a_sw": diamond.volume ** (1 / 3) * (8 / len(diamond)) ** (1 / 3),
        "a_gap": relaxed.volume ** (1 / 3) * (8 / len(relaxed)) ** (1 / 3),
        "wall_time_s": time.perf_counter() - start,
    }


def test_small_gap_kappa_close_to_sw(sw_gap_kappa: dict) -> None:
    run = sw_gap_kappa["run"]
    assert run.n_supercells == 16
    assert len(run.phono3py.supercell) == 64  # 2x2x2 conventional
    assert run.result.mesh == [11, 11, 11]
    kappa = run.result.kappa_mean_diagonal_w_per_mk
    np.testing.assert_allclose(kappa, SW_KAPPA_FD_11, rtol=RELATIVE_TOLERANCE)
    assert sw_gap_kappa["a_gap"] == pytest.approx(sw_gap_kappa["a_sw"], abs=2e-3)  # Å


def test_small_gap_kappa_is_physical(sw_gap_kappa: dict) -> None:
    """Umklapp-limited ~1/T (ideal ratios 2.0 and 1.5), isotropic cubic tensor."""
    result = sw_gap_kappa["run"].result
    k300, k600, k900 = result.kappa_mean_diagonal_w_per_mk
    assert 1.9 < k300 / k600 < 2.4
    assert 1.4 < k600 / k900 < 1.6
    for tensor in result.kappa_tensors_w_per_mk:
        np.testing.assert_allclose(tensor[:3], tensor[0], rtol=1e-3)
        np.testing.assert_allclose(tensor[3:], 0.0, atol=1e-3 * tensor[0])
