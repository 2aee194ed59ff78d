"""Shared pytest fixtures, and the rule on skips.

Only tests that need an external program installed by the system package manager may skip,
and their reason names the program and the apt package (``EXTERNAL_PROGRAMS``), or tests of a
program built locally by a script of this repository, whose reason names the script
(``LOCAL_BUILDS``: the parallel gap_fit builds of ``scripts/build_gap_fit.sh``). With
``PHONOGAP_FAIL_ON_SKIP=1`` (set by ``.ci/run``) any other skip fails the session; this works
with pytest-xdist, whose controller receives every worker's skip reports.
"""

from __future__ import annotations

import os
from pathlib import Path

# Two xdist workers share 2 cores: BLAS threads only compete (scipy's 3x3 solves in ASE's cell
# filter ran up to 12x slower with OpenBLAS's default threads). Set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest

EXTERNAL_PROGRAMS = ("pw.x", "cp2k")
"""Programs a test may skip for; the reason must also say ``apt-get install ...``."""

LOCAL_BUILDS = ("scripts/build_gap_fit.sh",)
"""Build scripts a test may skip for (a program they build is absent); the reason names one."""

FAIL_ON_SKIP = "PHONOGAP_FAIL_ON_SKIP"

_disallowed_skips: dict[str, str] = {}


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple | list) and len(longrepr) == 3:
        return str(longrepr[2])  # (path, line, "Skipped: reason")
    return str(longrepr)


def _check_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    if os.environ.get(FAIL_ON_SKIP) != "1" or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = _skip_reason(report)
    allowed = "apt-get install" in reason and any(p in reason for p in EXTERNAL_PROGRAMS)
    allowed = allowed or any(script in reason for script in LOCAL_BUILDS)
    if not allowed:
        _disallowed_skips[report.nodeid] = reason


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Record a skipped test whose reason names no allowed external program."""
    _check_skip(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """Record a module skipped at collection (e.g. ``importorskip``) for the same rule."""
    _check_skip(report)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the session (in the xdist controller or a plain run) on a disallowed skip."""
    if _disallowed_skips and not hasattr(session.config, "workerinput"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """List the disallowed skips and the rule they break."""
    if not _disallowed_skips or hasattr(config, "workerinput"):
        return
    terminalreporter.section(f"{FAIL_ON_SKIP}=1: skips not allowed", red=True)
    for nodeid, reason in sorted(_disallowed_skips.items()):
        terminalreporter.line(f"{nodeid}: {reason}")
    terminalreporter.line(
        f"Only tests needing {' or '.join(EXTERNAL_PROGRAMS)} may skip, with a reason naming "
        "the program and 'apt-get install <package>', or tests of a program built by "
        f"{' or '.join(LOCAL_BUILDS)}, naming the script; install what the others need instead."
    )


@pytest.fixture(autouse=True)
def no_user_jobflow_config(monkeypatch, tmp_path_factory):
    """Keep a developer's ``~/.jobflow.yaml`` out of the tests' default store choice."""
    missing = tmp_path_factory.getbasetemp() / "no-jobflow-config.yaml"
    monkeypatch.setenv("JOBFLOW_CONFIG_FILE", str(missing))


@pytest.fixture(scope="session")
def bundled_dir() -> Path:
    """Return phonogap's package data directory (the reference datasets shipped with it)."""
    from phonogap.importers.bundled import bundled_data_root

    return bundled_data_root()


@pytest.fixture(scope="session")
def secantus_server(tmp_path_factory):
    """Run a real MongoDB-protocol server (SecantusDB) on a free loopback port for the session.

    Started as a separate process by :func:`phonogap.store.server.start_server` and stopped by its
    pid. Needs the ``server`` extra, which the ``test`` extra installs (no skip: without it
    ``start_server`` fails saying what to install).
    """
    from phonogap.store.server import start_server, stop_server

    directory = tmp_path_factory.mktemp("secantus")
    info = start_server(directory)
    yield info
    stop_server(directory)


@pytest.fixture
def mongo_database(secantus_server, request):
    """Return ``(uri, database)``: a fresh, indexed database on the session's server."""
    import re
    import uuid

    from phonogap.store.server import create_indexes

    name = re.sub(r"\W", "_", request.node.name)[:40] + "_" + uuid.uuid4().hex[:6]
    create_indexes(secantus_server.uri, name)
    return secantus_server.uri, name
