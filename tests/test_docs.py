"""The documentation builds with warnings as errors, and its generated pages follow the code."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from phonogap.config import WORKFLOW_TYPES
from phonogap.flows.maker_fields import maker_fields_model
from phonogap.flows.phonon_accurate_gap import PhononAccurateGapMaker

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _text(markup: str) -> str:
    """Visible text of HTML, whitespace collapsed."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _plain(rst: str) -> str:
    """Text of inline reStructuredText as rendered (roles and literals unwrapped)."""
    rst = re.sub(r":\w+:`~?(?:[\w.]+\.)?([\w]+)`", r"\1", rst)
    return " ".join(rst.replace("``", "").split())


def _squash(text: str) -> str:
    # rendered literals get spaces around them ("( preset , M"), so compare without spaces
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def built_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs_html")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", DOCS, out],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, f"sphinx -W failed:\n{result.stderr[-5000:]}"
    return out


def _section(page: str, start_id: str, end_id: str | None = None) -> str:
    start = page.index(f'id="{start_id}"')
    end = page.index(f'id="{end_id}"', start) if end_id else len(page)
    return page[start:end]


def test_workflow_file_reference_is_generated_from_the_makers(built_docs: Path) -> None:
    page = (built_docs / "workflow_files.html").read_text()
    section = _text(
        _section(page, "wf-workflow-phonon-accurate-gap", "wf-workflow-imported-data-gap")
    )
    fields = maker_fields_model(PhononAccurateGapMaker).model_fields
    description = _plain(fields["fit"].description)
    assert "fit" in section.split()
    assert _squash(description) in _squash(section)
    for name in fields:  # every Maker field has a row
        assert name in section.split(), name
    for workflow in WORKFLOW_TYPES:  # and every workflow type a section
        assert f'id="wf-workflow-{workflow.replace("_", "-")}"' in page
    text = _text(page)
    # nested settings models and their field descriptions, e.g. FitSettings.f
    from phonogap.fitting.settings import FitSettings

    assert _squash(FitSettings.model_fields["f"].description) in _squash(text)
    assert "backend: qe" in text  # the reference backends


def test_api_reference_lists_the_package(built_docs: Path) -> None:
    page = (built_docs / "api.html").read_text()
    assert 'id="phonogap.flows.phonon_accurate_gap.PhononAccurateGapMaker"' in page
    assert "PhononAccurateGapMaker" in _text(page)
    modules = set(re.findall(r'id="module-(phonogap[\w.]*)"', page))
    for package in ("reference", "fitting", "flows", "config"):
        assert f"phonogap.{package}" in modules
    # deprecation shims (modules defining DEPRECATED_ALIASES) are left out
    import importlib

    for name in modules:
        assert "DEPRECATED_ALIASES" not in vars(importlib.import_module(name)), name
    assert "Academic Software Licence" in _text(page)


def test_pages_exist(built_docs: Path) -> None:
    for page in ("index", "tutorial", "workflow_files", "cluster", "benchmarks", "api"):
        assert (built_docs / f"{page}.html").is_file(), page
