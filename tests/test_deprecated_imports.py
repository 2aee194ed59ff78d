"""Old import paths of moved jobs, Makers and helpers keep working for one release.

Every module that defines ``DEPRECATED_ALIASES`` is found in the source; each old name must
give the very object of its new location and warn with a ``DeprecationWarning`` naming it.
Importing an old module must not import the new one before an old name is used.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def shim_modules() -> list[str]:
    """Dotted names of the modules that keep moved names (they define DEPRECATED_ALIASES)."""
    names = []
    for path in sorted((SRC / "phonogap").rglob("*.py")):
        if "\nDEPRECATED_ALIASES: dict[str, str] = " in path.read_text():
            parts = list(path.relative_to(SRC).with_suffix("").parts)
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def aliases() -> list[tuple[str, str, str]]:
    """``(old module, name, new "module:attribute")`` of every moved name."""
    found = []
    for module in shim_modules():
        for name, target in importlib.import_module(module).DEPRECATED_ALIASES.items():
            found.append((module, name, target))
    return found


ALIASES = aliases()


def test_the_moves_the_release_notes_promise_are_covered():
    old = {f"{module}.{name}" for module, name, _ in ALIASES}
    assert {
        "phonogap.phonons.kappa_jobs.KappaMaker",
        "phonogap.md.jobs.MeltQuenchMaker",
        "phonogap.md.MeltQuenchMaker",
        "phonogap.fitting.jobs.fit_gap",
        "phonogap.fitting.jobs.fit_gap_in_directory",
        "phonogap.database.jobs.build_database",
        "phonogap.database.label_jobs.labelling_job",
        "phonogap.database.extend_jobs.fit_extended_gap",
        "phonogap.importers.jobs.DatasetSpec",
        "phonogap.phonons.jobs.benchmark_phonons",
        "phonogap.phonons.summary.summarise_benchmarks",
        "phonogap.structures.jobs.relax_with_reference",
        "phonogap.structures.atomate2_relax.relaxation_job",
        "phonogap.reference.vasp.labels_from_vasp_task",
        "phonogap.reference.cp2k.labels_from_cp2k_task",
        "phonogap.database.keys.FORCES_KEY",
    } <= old


@pytest.mark.parametrize(
    ("module", "name", "target"), ALIASES, ids=[f"{m}.{n}" for m, n, _ in ALIASES]
)
def test_old_path_gives_the_same_object_and_warns(module, name, target):
    new_module, _, attribute = target.partition(":")
    expected = getattr(importlib.import_module(new_module), attribute)
    old = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=rf"{new_module}\.{attribute}"):
        found = getattr(old, name)
    assert found is expected


def test_from_import_of_an_old_name_works():
    from phonogap.flows import KappaMaker, MeltQuenchMaker
    from phonogap.jobs.fitting import fit_gap

    with pytest.warns(DeprecationWarning, match="phonogap.flows.kappa.KappaMaker"):
        from phonogap.phonons.kappa_jobs import KappaMaker as old_kappa
    with pytest.warns(DeprecationWarning, match="phonogap.flows.melt_quench.MeltQuenchMaker"):
        from phonogap.md.jobs import MeltQuenchMaker as old_melt
    with pytest.warns(DeprecationWarning, match="phonogap.jobs.fitting.fit_gap"):
        from phonogap.fitting.jobs import fit_gap as old_fit
    assert (old_kappa, old_melt, old_fit) == (KappaMaker, MeltQuenchMaker, fit_gap)


def test_unknown_names_still_raise_attribute_error():
    import phonogap.fitting.jobs

    with pytest.raises(AttributeError, match="has no attribute 'not_a_job'"):
        phonogap.fitting.jobs.not_a_job  # noqa: B018


def test_importing_an_old_module_does_not_import_the_workflow_layer():
    code = (
        "import sys\n"
        f"for name in {shim_modules()!r}:\n"
        "    __import__(name)\n"
        "workflow = ('phonogap.jobs', 'phonogap.flows')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(workflow))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(SRC)})
