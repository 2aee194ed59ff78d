"""PHONOGAP_FAIL_ON_SKIP=1: a skip naming no allowed program or build script fails the session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = """
import pytest

pytest.importorskip("a_module_that_does_not_exist")
"""

TESTS = """
import pytest


def test_passes():
    assert True


@pytest.mark.skipif(True, reason="pw.x not found: apt-get install quantum-espresso")
def test_needs_pw_x():
    pass


@pytest.mark.skipif(True, reason="cp2k.psmp not found: apt-get install cp2k")
def test_needs_cp2k():
    pass


@pytest.mark.skipif(True, reason="no MPI gap_fit: build it with scripts/build_gap_fit.sh")
def test_needs_local_build():
    pass


@pytest.mark.skipif(True, reason="no MPI gap_fit")
def test_names_no_build_script():
    pass


def test_skips_for_no_good_reason():
    pytest.skip("data not found")


@pytest.mark.skipif(True, reason="pw.x missing")
def test_names_the_program_but_not_the_package():
    pass


@pytest.mark.xfail(reason="known bug")
def test_xfail_is_not_a_skip():
    assert False
"""


def run_pytest(directory: Path, fail_on_skip: bool, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PHONOGAP_FAIL_ON_SKIP"}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # start fast: only xdist is loaded, below
    if fail_on_skip:
        env["PHONOGAP_FAIL_ON_SKIP"] = "1"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "xdist"]
    command += args
    return subprocess.run(
        command, cwd=directory, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("skip_rule")
    shutil.copy(Path(__file__).parent / "conftest.py", directory / "conftest.py")
    (directory / "test_sample.py").write_text(TESTS)
    (directory / "test_module_skip.py").write_text(SAMPLE)
    return directory


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["plain", "xdist"])
def test_disallowed_skips_fail_the_session(project, workers):
    result = run_pytest(project, True, *workers)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 passed, 7 skipped, 1 xfailed" in output
    section = output.split("PHONOGAP_FAIL_ON_SKIP=1: skips not allowed")[1]
    assert "test_sample.py::test_skips_for_no_good_reason: Skipped: data not found" in section
    assert "test_sample.py::test_names_the_program_but_not_the_package" in section
    assert "test_module_skip.py: " in section and "a_module_that_does_not_exist" in section
    assert "test_needs_pw_x" not in section and "test_needs_cp2k" not in section
    assert "test_needs_local_build" not in section
    assert "test_sample.py::test_names_no_build_script" in section
    assert "test_xfail_is_not_a_skip" not in section


def test_without_the_variable_skips_pass(project):
    result = run_pytest(project, False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skips not allowed" not in result.stdout


def test_allowed_skips_alone_pass(project):
    result = run_pytest(
        project, True, "-n", "2", "test_sample.py", "-k", "pw_x or cp2k or local_build or passes"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 3 skipped" in result.stdout
