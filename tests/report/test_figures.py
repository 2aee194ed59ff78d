from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread
from phonopy.interface.phonopy_yaml import PhonopyYaml

from phonogap.phonons.band_path import setyawan_curtarolo_path
from phonogap.phonons.harmonic import make_phonopy, phonopy_atoms_to_structure
from phonogap.report.figures import (
    POTENTIAL_COLOR,
    REFERENCE_COLOR,
    plot_band_overlay,
    plot_rms_bars,
)

DIAMOND_YAML = Path(__file__).parents[1] / "data" / "phonons" / "22_phonopy.yaml"


def count_colour(image: np.ndarray, colour: str, tol: float = 0.06) -> int:
    rgb = image[..., :3]
    return int((np.abs(rgb - np.array(to_rgb(colour))).max(axis=-1) < tol).sum())


@pytest.fixture(scope="module")
def path():
    data = PhonopyYaml().read(DIAMOND_YAML)
    phonon = make_phonopy(phonopy_atoms_to_structure(data.unitcell), [1, 1, 1])
    return setyawan_curtarolo_path(phonon, points_per_segment=21)


def synthetic_bands(path, scale: float) -> np.ndarray:
    x = path.distances / path.distances[-1]
    return scale * np.stack([np.abs(np.sin(np.pi * (k + 1) * x)) * 3 + 3 * k for k in range(6)], 1)


def test_band_overlay_png(path, tmp_path):
    out = plot_band_overlay(
        path,
        synthetic_bands(path, 1.0),
        synthetic_bands(path, 0.9),
        tmp_path / "sub" / "bands.png",
        title="diamond",
    )
    assert out == tmp_path / "sub" / "bands.png"
    image = imread(out)
    assert image.shape[0] > 300 and image.shape[1] > 500
    n_ref = count_colour(image, REFERENCE_COLOR)
    n_pot = count_colour(image, POTENTIAL_COLOR)
    # twelve lines across the whole width, far more than the legend's short samples
    assert n_ref > 2000, n_ref
    assert n_pot > 1000, n_pot
    assert count_colour(image, "#00ff00") == 0


def test_band_overlay_shape_error(path, tmp_path):
    with pytest.raises(ValueError, match=r"potential_thz has shape \(3, 6\)"):
        plot_band_overlay(path, synthetic_bands(path, 1.0), np.zeros((3, 6)), tmp_path / "x.png")


def test_rms_bars(tmp_path):
    rows = [
        {"name": "a", "mp_id": "mp-149", "rms_thz": 0.2, "false_instability": False},
        {"name": "b", "mp_id": None, "rms_thz": 0.6, "false_instability": True},
    ]
    image = imread(plot_rms_bars(rows, tmp_path / "rms.png", title="test"))
    n_stable = count_colour(image, REFERENCE_COLOR)
    n_unstable = count_colour(image, POTENTIAL_COLOR)
    # bar area ~ height: the falsely unstable bar is three times taller
    assert n_unstable > 2 * n_stable > 2000
    with pytest.raises(ValueError, match="no rows"):
        plot_rms_bars([], tmp_path / "empty.png")


def test_plot_kappa_draws_one_line_per_calculation(tmp_path):
    import numpy as np
    from PIL import Image

    from phonogap.report.figures import plot_kappa

    rows = [
        {
            "name": "mp-149 reference",
            "temperatures_k": [300, 600, 900],
            "kappa_w_per_mk": [500, 225, 147],
        },
        {
            "name": "mp-149 GAP",
            "temperatures_k": [300, 600, 900],
            "kappa_w_per_mk": [480, 215, 140],
        },
    ]
    out = plot_kappa(rows, tmp_path / "sub" / "kappa.png", title="kappa")
    image = np.asarray(Image.open(out).convert("RGB")).astype(int)
    for colour in ([31, 119, 180], [255, 127, 14]):  # matplotlib's first two cycle colours
        assert (np.abs(image - colour).sum(axis=2) < 60).sum() > 100
