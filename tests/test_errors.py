"""One error base: every user-facing error is a PhonogapError and keeps its built-in base."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from phonogap.errors import PhonogapError

SRC = Path(__file__).resolve().parents[1] / "src" / "phonogap"

USER_ERRORS = [
    ("phonogap.phonons.kappa_dataset", "Phono3pyDatasetError", ValueError),
    ("phonogap.phonons.nac", "NacParametersError", ValueError),
    ("phonogap.database.extend", "DatabaseMergeError", ValueError),
    ("phonogap.structures.io", "StructureInputError", ValueError),
    ("phonogap.structures.allotropes", "UnknownAllotropeError", KeyError),
    ("phonogap.structures.materials_project", "MaterialsProjectError", RuntimeError),
    ("phonogap.importers.registry", "UnknownImporterError", KeyError),
    ("phonogap.importers.registry", "DatasetImportError", ValueError),
    ("phonogap.importers.bundled", "UnknownBundledDatasetError", ValueError),
    ("phonogap.cli.run", "FlowFailedError", RuntimeError),
    ("phonogap.config.workflow_file", "WorkflowFileError", ValueError),
    ("phonogap.config.deprecations", "OldKeyError", ValueError),
    ("phonogap.reference.dft_common", "ReferenceSetupError", RuntimeError),
    ("phonogap.reference.dft_common", "DftCalculationError", RuntimeError),
    ("phonogap.reference.registry", "UnknownReferenceError", KeyError),
    ("phonogap.reference.base", "NoInProcessCalculatorError", ValueError),
    ("phonogap.reference.evaluate", "LabellingError", RuntimeError),
    ("phonogap.store.launchpad", "LaunchpadConfigError", ValueError),
    ("phonogap.store.jobstore", "StoreConfigError", ValueError),
    ("phonogap.store.server", "ServerError", RuntimeError),
    ("phonogap.store.embedded", "StoreLockedError", TimeoutError),
    ("phonogap.store.queries", "ResultNotFoundError", ValueError),
    ("phonogap.store.potentials", "PotentialNotFoundError", LookupError),
    ("phonogap.fitting.gap_fit_run", "GapFitError", RuntimeError),
    ("phonogap.phonons.comparison", "PhononComparisonError", ValueError),
    ("phonogap.report.exports", "ExportError", ValueError),
    ("phonogap.config.preflight", "PreflightError", RuntimeError),
    ("phonogap.reference.base", "NoInProcessCalculatorError", ValueError),
    ("phonogap.structures.relax_guard", "RelaxationCollapsedError", RuntimeError),
    ("phonogap.phonons.supercell_guard", "SupercellTooLargeError", ValueError),
    ("phonogap.fitting.launcher", "LauncherError", ValueError),
    ("phonogap.config.plan", "FitMemoryError", RuntimeError),
    ("phonogap.config.plan", "PlanNotAvailableError", ValueError),
]


@pytest.mark.parametrize(("module", "name", "builtin"), USER_ERRORS)
def test_user_errors_share_the_base_and_keep_their_builtin_base(module, name, builtin):
    error = getattr(importlib.import_module(module), name)
    assert issubclass(error, PhonogapError)
    assert issubclass(error, builtin)  # existing `except ValueError` code still catches it


def test_every_error_class_in_the_package_is_listed():
    """A new ``class ...Error(...)`` must join the list above (and so get the base)."""
    listed = {name for _, name, _ in USER_ERRORS}
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            bases = [ast.unparse(base) for base in getattr(node, "bases", [])]
            is_document = "BaseModel" in bases  # e.g. SnapshotError: a row of errors
            named_error = isinstance(node, ast.ClassDef) and node.name.endswith("Error")
            if named_error and bases and not is_document:
                found.add(node.name)
    assert found - {"PhonogapError"} == listed


def test_key_error_messages_print_as_written():
    from phonogap.structures.allotropes import UnknownAllotropeError, silicon_allotropes

    with pytest.raises(UnknownAllotropeError) as info:
        silicon_allotropes(["mp-0"])
    assert str(info.value).startswith("unknown silicon allotrope id(s) ['mp-0']; valid ids:")


def test_errors_module_is_a_leaf():
    tree = ast.parse((SRC / "errors.py").read_text())
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [name for name in imported if name and name.startswith("phonogap")]
