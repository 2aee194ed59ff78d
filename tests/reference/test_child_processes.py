"""No pw.x and no pool worker outlives a phonogap process killed with SIGKILL."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")

SRC = Path(__file__).resolve().parents[2] / "src"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG")


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _kill_parent_and_watch_children(script: str, tmp_path: Path, wanted) -> None:
    """Run ``script``, wait for descendants matching ``wanted``, SIGKILL it, check they go."""
    popen = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        stderr=subprocess.PIPE,
        text=True,
    )
    parent = psutil.Process(popen.pid)
    found: list[psutil.Process] = []
    deadline = time.monotonic() + 60
    while len(found) < wanted[1] and popen.poll() is None and time.monotonic() < deadline:
        found = [c for c in parent.children(recursive=True) if wanted[0](c)]
        time.sleep(0.05)
    try:
        assert len(found) >= wanted[1], popen.stderr.read() if popen.poll() is not None else ""
        popen.kill()
        popen.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in found) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(p) for p in found), [p.pid for p in found if _alive(p)]
    finally:
        for process in found:
            if _alive(process):
                process.kill()
        if popen.poll() is None:
            popen.kill()
        popen.communicate()


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return []


def test_pw_x_dies_with_a_killed_parent(tmp_path):
    fake = tmp_path / "pw.x"
    fake.write_text("#!/bin/sh\nexec sleep 300\n")
    fake.chmod(0o755)
    (tmp_path / "Si.pbe-rrkj.UPF").write_text("")
    script = f"""
        from ase.build import bulk
        from phonogap.reference.qe import QuantumEspressoReference
        reference = QuantumEspressoReference(command="{fake}", pseudo_dir="{tmp_path}")
        atoms = bulk("Si", "diamond", a=5.43)
        atoms.calc = reference.calculator(directory="{tmp_path / "run"}")
        atoms.get_potential_energy()
    """
    _kill_parent_and_watch_children(
        script, tmp_path, (lambda p: _cmdline(p)[:2] == ["sleep", "300"], 1)
    )


def test_pool_workers_die_with_a_killed_parent(tmp_path):
    script = """
        import time
        from phonogap.reference.evaluate import map_with_calculator
        from phonogap.reference.stillinger_weber import StillingerWeberReference

        def slow(item, calculator):
            time.sleep(300)

        map_with_calculator(StillingerWeberReference(), slow, [1, 2], n_workers=2)
    """
    _kill_parent_and_watch_children(script, tmp_path, (lambda p: True, 2))
