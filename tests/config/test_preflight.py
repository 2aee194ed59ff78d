"""Pre-flight: every problem found before a run starts is one line naming the setting and fix."""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write

import phonogap.cli.run
from phonogap.cli import main
from phonogap.config import parse_workflow
from phonogap.config.preflight import check_store, directory_problem, preflight

REAL_WHICH = shutil.which


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("PHONOGAP_STORE_CONFIG", raising=False)


@pytest.fixture
def nothing_runs(monkeypatch):
    """Fail the test if a run gets past the pre-flight."""

    def started(*args, **kwargs):
        raise AssertionError("the run started despite the pre-flight problems")

    monkeypatch.setattr(phonogap.cli.run, "run_workflow", started)
    monkeypatch.setattr(phonogap.cli.run, "run_campaign", started)


def _without(monkeypatch, *programs: str) -> None:
    def which(name, *args, **kwargs):
        return None if Path(name).name in programs else REAL_WHICH(name, *args, **kwargs)

    monkeypatch.setattr(shutil, "which", which)


def _error_lines(err: str) -> list[str]:
    """The problem lines, without the ``error:`` prefix of the first."""
    return [line.strip().removeprefix("error: ") for line in err.splitlines() if line.strip()]


def test_missing_gap_fit_stops_the_demo_before_anything_runs(
    fresh_store, nothing_runs, monkeypatch, capsys, tmp_path
):
    _without(monkeypatch, "gap_fit")
    assert main(["demo", "--out", str(tmp_path / "out")]) == 2
    (line,) = _error_lines(capsys.readouterr().err)
    assert line.startswith("PATH: gap_fit was not found on PATH. Install it")
    assert line.endswith("(nothing was started)")
    assert not (tmp_path / "out").exists()


def test_several_problems_are_all_printed_one_line_each(
    fresh_store, nothing_runs, monkeypatch, capsys, tmp_path
):
    _without(monkeypatch, "gap_fit")
    (tmp_path / "taken").write_text("x")
    assert main(["demo", "--out", str(tmp_path / "taken")]) == 2
    lines = _error_lines(capsys.readouterr().err)
    assert lines[0] == "2 problems found before starting; nothing was started:"
    assert lines[1].startswith("PATH: gap_fit was not found")
    assert lines[2].startswith("--out: ")


def test_missing_pw_x_and_pseudopotential_are_named_with_their_fields(monkeypatch, tmp_path):
    _without(monkeypatch, "pw.x")
    raw = {
        "name": "qe",
        "structures": {"allotropes": ["mp-149"]},
        "reference": {"backend": "qe", "pseudo_dir": str(tmp_path), "mpi_processes": 1},
    }
    workflow = parse_workflow(raw, tmp_path, "qe.yaml")
    problems = [str(p) for p in preflight(workflow, check_the_store=False, source="qe.yaml")]
    assert any(
        p.startswith("qe.yaml: reference: qe reference: executable 'pw.x'") for p in problems
    )
    assert any("pseudopotential file" in p and "reference.pseudo_dir" in p for p in problems)
    assert all("\n" not in p for p in problems)


def test_qe_binary_without_a_pseudopotential_names_the_element_and_the_setting(
    fresh_store, nothing_runs, capsys, tmp_path
):
    write(tmp_path / "nacl.cif", bulk("NaCl", "rocksalt", a=5.64))
    (tmp_path / "Na.upf").write_text("<UPF/>")
    (tmp_path / "nacl.yaml").write_text(
        "name: nacl\nstructures: {files: [nacl.cif]}\n"
        f"reference: {{backend: qe, pseudo_dir: {tmp_path}, mpi_processes: 1, "
        "pseudopotentials: {Na: Na.upf}}\n"
    )
    assert main(["run", str(tmp_path / "nacl.yaml"), "--out", str(tmp_path / "out")]) == 2
    lines = _error_lines(capsys.readouterr().err)
    missing = [line for line in lines if "pseudopotential" in line]
    assert len(missing) == 1, lines  # Na has its file; only Cl is named
    assert "no pseudopotential for Cl" in missing[0]
    assert "'reference.pseudopotentials'" in missing[0]
    assert not (tmp_path / "out").exists()


def test_germanium_with_stillinger_weber_is_refused(fresh_store, nothing_runs, capsys, tmp_path):
    write(tmp_path / "ge.cif", bulk("Ge", "diamond", a=5.66))
    (tmp_path / "ge.yaml").write_text(
        "name: ge\nstructures: {files: [ge.cif]}\nreference: {backend: sw}\n"
    )
    assert main(["run", str(tmp_path / "ge.yaml"), "--out", str(tmp_path / "out")]) == 2
    lines = _error_lines(capsys.readouterr().err)
    assert any(
        line.startswith(f"{tmp_path / 'ge.yaml'}: reference: sw reference: cannot label Ge")
        and "supports only Si" in line
        for line in lines
    )


def test_nan_force_in_a_dataset_is_found_up_front(tmp_path):
    atoms = bulk("Si", "diamond", a=5.43)
    forces = np.zeros((len(atoms), 3))
    forces[1, 2] = np.nan
    atoms.calc = SinglePointCalculator(atoms, energy=-10.0, forces=forces)
    write(tmp_path / "data.xyz", atoms, format="extxyz")
    raw = {
        "name": "imported",
        "workflow": "imported_data_gap",
        "datasets": [{"importer": "extxyz", "path": "data.xyz"}],
    }
    workflow = parse_workflow(raw, tmp_path, "data.yaml")
    problems = preflight(workflow, check_the_store=False, source="data.yaml")
    (problem,) = [p for p in problems if p.setting.startswith("data.yaml: datasets[0]")]
    assert problem.setting == "data.yaml: datasets[0].path"
    assert "forces" in problem.message
    assert "finite" in problem.message or "nan" in problem.message.lower()


def test_out_pointing_at_a_file_names_the_option(fresh_store, nothing_runs, capsys, tmp_path):
    (tmp_path / "taken").write_text("x")
    assert main(["demo", "--out", str(tmp_path / "taken" / "sub")]) == 2
    lines = _error_lines(capsys.readouterr().err)
    assert any(
        line.startswith("--out: ") and "is a file, not a directory" in line for line in lines
    )


def test_store_dir_that_is_a_file_or_unwritable_is_named(monkeypatch, tmp_path):
    monkeypatch.delenv("PHONOGAP_STORE_CONFIG", raising=False)
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(tmp_path / "file"))
    (problem,) = check_store(None)
    assert problem.setting == "PHONOGAP_STORE_DIR"
    assert "is a file" in problem.message
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if directory_problem(locked, "x") is None:  # root may write anywhere: the OS says no here
        import phonogap.config.preflight as preflight_module

        real_access = os.access

        def access(path, mode, *args, **kwargs):
            denied = Path(path) == locked and mode & os.W_OK
            return False if denied else real_access(path, mode, *args, **kwargs)

        monkeypatch.setattr(preflight_module.os, "access", access)
    assert directory_problem(locked, "x") is not None
    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(locked / "store"))
    (problem,) = check_store(None)
    assert "is not writable" in problem.message


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("command", ["demo", "results"])
def test_unreachable_store_fails_within_5_s_in_one_line(
    nothing_runs, capsys, tmp_path, command, monkeypatch
):
    monkeypatch.delenv("PHONOGAP_STORE_CONFIG", raising=False)
    uri = f"mongodb://127.0.0.1:{_free_port()}/phonogap"
    extra = ["--out", str(tmp_path / "out")] if command == "demo" else []
    start = time.perf_counter()
    assert main([command, "--store", uri, *extra]) == 2
    assert time.perf_counter() - start < 5
    lines = _error_lines(capsys.readouterr().err)
    assert "Traceback" not in "\n".join(lines)
    (line,) = [line for line in lines if line.startswith("--store: ")]
    assert "cannot reach the store" in line and "127.0.0.1" in line


def test_a_good_setup_has_no_problems(fresh_store, tmp_path):
    from phonogap.cli.run import demo_workflow

    workflow = parse_workflow(demo_workflow(), tmp_path, "phonogap demo")
    assert preflight(workflow, tmp_path / "out", None) == []
