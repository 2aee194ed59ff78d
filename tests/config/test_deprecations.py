"""Renamed workflow-file keys and moved modules keep working for one release, with a warning."""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

import pytest
import yaml

from phonogap.config import read_workflow_file
from phonogap.config.deprecations import WorkflowDeprecationWarning
from phonogap.md.protocol import MeltQuenchSettings

EXTEND = {
    "workflow": "extend_database",
    "structures": {"allotropes": ["mp-149"]},
    "base_database": {"generate": {"preset": "ci"}},
}


def write(tmp_path: Path, content: dict) -> Path:
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(content))
    return path


def test_deprecation_warning_is_a_future_warning():
    # shown to users by default (DeprecationWarning is hidden outside __main__)
    assert issubclass(WorkflowDeprecationWarning, FutureWarning)


def test_fit_overrides_become_hyperparameters(tmp_path):
    content = {
        "structures": {"allotropes": ["mp-149"]},
        "fit": {"preset": "small", "overrides": {"soap": {"l_max": 4}}},
    }
    path = write(tmp_path, content)
    with pytest.warns(WorkflowDeprecationWarning, match=r"fit\.hyperparameters") as record:
        maker = read_workflow_file(path).maker
    assert "old.yaml" in str(record[0].message)
    assert "fit.overrides" in str(record[0].message)
    soap = maker.fit.hyperparameters.soap
    assert soap.l_max == 4
    assert soap.n_max == 8  # the rest of the small preset is kept
    # and the new key gives the same Maker without a warning
    content["fit"] = {"preset": "small", "hyperparameters": {"soap": {"l_max": 4}}}
    with warnings.catch_warnings():
        warnings.simplefilter("error", WorkflowDeprecationWarning)
        assert read_workflow_file(write(tmp_path, content)).maker == maker


def test_melt_quench_preset_none_becomes_null(tmp_path):
    content = {**EXTEND, "extension": {"melt_quench": {"preset": "none"}}}
    with pytest.warns(WorkflowDeprecationWarning, match=r"extension\.melt_quench: null") as record:
        maker = read_workflow_file(write(tmp_path, content)).maker
    assert "old.yaml" in str(record[0].message)
    assert maker.extension.melt_quench is None


def test_melt_quench_overrides_go_next_to_the_preset(tmp_path):
    content = {**EXTEND, "extension": {"melt_quench": {"preset": "ci", "overrides": {"seed": 3}}}}
    with pytest.warns(WorkflowDeprecationWarning, match=r"extension\.melt_quench\.preset"):
        maker = read_workflow_file(write(tmp_path, content)).maker
    assert maker.extension.melt_quench.seed == 3
    assert maker.extension.melt_quench == MeltQuenchSettings.ci().model_copy(update={"seed": 3})


def test_current_keys_do_not_warn(tmp_path):
    content = {
        **EXTEND,
        "fit": {"preset": "small", "hyperparameters": {"soap": {"l_max": 4}}},
        "extension": {"melt_quench": {"preset": "ci", "seed": 3}},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error", WorkflowDeprecationWarning)
        maker = read_workflow_file(write(tmp_path, content)).maker
    assert maker.extension.melt_quench.seed == 3


@pytest.mark.parametrize(
    ("module", "name", "new"),
    [
        ("phonogap.workflow_file", "read_workflow_file", "phonogap.config.workflow_file"),
        ("phonogap.workflow_extend", "ExtensionSection", "phonogap.database.extension_settings"),
    ],
)
def test_old_import_paths_still_work_and_warn(module, name, new):
    old_module = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=rf"{module}\.{name} moved to {new}"):
        old = getattr(old_module, name)
    assert old is getattr(importlib.import_module(new), old.__name__)


def test_every_deprecated_alias_resolves():
    for module in ("phonogap.workflow_file", "phonogap.workflow_extend"):
        old_module = importlib.import_module(module)
        for name, target in old_module.DEPRECATED_ALIASES.items():
            new_module, attribute = target.split(":")
            with pytest.warns(DeprecationWarning):
                old = getattr(old_module, name)
            assert old is getattr(importlib.import_module(new_module), attribute), name


def test_old_import_path_of_the_file_reader_reads_files(tmp_path):
    with pytest.warns(DeprecationWarning):
        from phonogap.workflow_file import read_workflow_file as old_reader
    path = write(tmp_path, {"structures": {"allotropes": ["mp-149"]}})
    assert old_reader(path).maker == read_workflow_file(path).maker


def test_removed_names_are_an_attribute_error():
    import phonogap.workflow_file

    with pytest.raises(AttributeError, match="maker_from_workflow"):
        phonogap.workflow_file.maker_from_workflow  # noqa: B018
