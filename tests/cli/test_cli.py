"""The phonogap command line: demo, results, compare-phonons, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import phonopy
import pytest
from PIL import Image

from phonogap.cli import main
from phonogap.phonons.band_path import setyawan_curtarolo_path
from phonogap.phonons.harmonic import band_frequencies

DIAMOND = Path(__file__).parents[1] / "data" / "phonons" / "22_phonopy.yaml"


def test_compare_phonons_against_itself_is_zero(capsys):
    assert main(["compare-phonons", str(DIAMOND), str(DIAMOND), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["rms_thz"] == 0.0
    assert result["imaginary_reference"] is False
    assert result["false_instability"] is False


def test_compare_phonons_with_scaled_forces_matches_direct_phonopy(tmp_path, capsys):
    reference = phonopy.load(DIAMOND, produce_fc=True, log_level=0)
    scaled = phonopy.load(DIAMOND, log_level=0)
    scaled.forces = 1.1 * np.asarray(scaled.forces)
    scaled_file = tmp_path / "scaled_phonopy.yaml"
    scaled.save(scaled_file, settings={"force_sets": True})
    scaled.produce_force_constants()

    assert main(["compare-phonons", str(DIAMOND), str(scaled_file), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)

    # direct phonopy: same q-points, frequencies sorted per q-point
    path = setyawan_curtarolo_path(reference, points_per_segment=51)
    ref = band_frequencies(reference, path.qpoints)
    other = band_frequencies(scaled, path.qpoints)
    direct = float(np.sqrt(np.mean((ref - other) ** 2)))
    assert result["rms_thz"] == pytest.approx(direct, rel=1e-9)
    assert result["rms_thz"] == pytest.approx(0.5163, abs=5e-4)  # (sqrt(1.1)-1) * rms(freq)


def test_compare_phonons_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main(["compare-phonons", str(DIAMOND), str(tmp_path / "absent.yaml")]) == 2
    assert "absent.yaml" in capsys.readouterr().err


def test_run_with_invalid_workflow_names_the_field(tmp_path, capsys):
    workflow = tmp_path / "wf.yaml"
    workflow.write_text("structures: {allotropes: [mp-149]}\nfit: {f: -1}\n")
    assert main(["run", str(workflow), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "wf.yaml" in err
    assert "fit.f" in err


def test_demo_end_to_end(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(tmp_path / "store"))
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    results = json.loads((tmp_path / "demo" / "results.json").read_text())
    (row,) = results["structures"]
    assert row["name"] == "mp-149"
    assert row["mp_id"] == "mp-149"
    assert row["rms_thz"] < 0.05
    assert not row["imaginary_reference"]
    assert not row["imaginary_potential"]
    assert not row["false_instability"]
    assert results["settings"]["reference"] == "sw"
    assert results["settings"]["strategy"] == "both"

    # the overlay shows both band structures: the reference (blue) and GAP (red) colours
    image = np.asarray(Image.open(tmp_path / "demo" / "bands_mp-149.png").convert("RGB")).astype(
        int
    )
    blue = (np.abs(image - [31, 119, 180]).sum(axis=2) < 60).sum()
    red = (np.abs(image - [214, 39, 40]).sum(axis=2) < 60).sum()
    assert blue > 500
    assert red > 500

    # standard error is not a terminal here: no live display, only the log lines
    err = capsys.readouterr().err
    assert "Finished job - fit_gap" in err
    assert "jobs 0/" not in err and "━" not in err and "gap_fit: descriptors" not in err

    # `phonogap results` reads the same numbers back from the store
    assert main(["results", "--format", "json", "--latest"]) == 0
    (stored,) = json.loads(capsys.readouterr().out)
    assert stored["structures"][0]["rms_thz"] == pytest.approx(row["rms_thz"])

    # the fit's real sparse points are in results.json (gap_fit may keep fewer than asked)
    used = results["fit"]["sparse_points_used"]
    assert 0 < used["soap"] <= results["fit"]["n_sparse_soap"]

    # --formula and --mp-id select the rows of ordinary runs too (not only campaigns)
    def selected(*options: str) -> list[dict]:
        capsys.readouterr()
        assert main(["results", "--format", "json", *options]) == 0
        return json.loads(capsys.readouterr().out)

    (found,) = selected("--formula", "Si", "--mp-id", "mp-149")
    assert (found["campaign"], found["structure"]) == ("demo_diamond_si", "mp-149")
    assert (found["formula"], found["mp_id"], found["state"]) == ("Si", "mp-149", "done")
    assert found["rms_thz"] == pytest.approx(row["rms_thz"])
    assert found["false_instability"] is False
    assert found["summary_uuid"] == stored["uuid"]
    assert selected("--formula", "Si2") == [found]  # any formula of the same composition
    assert selected("--mp-id", "mp-149", "--name", "demo_diamond_si") == [found]
    assert selected("--formula", "C") == []
    assert selected("--mp-id", "mp-165") == []
    assert selected("--mp-id", "mp-149", "--name", "another_run") == []
    capsys.readouterr()
    assert main(["results", "--formula", "Si"]) == 0
    table = capsys.readouterr().out
    (line,) = [line for line in table.splitlines() if "mp-149" in line]
    assert "done" in line and f"{row['rms_thz']:.4f}" in line
