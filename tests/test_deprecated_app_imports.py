"""Old application-layer import paths still work for one release, with a DeprecationWarning."""

from __future__ import annotations

import importlib
import re
import warnings

import pytest

# The public names of the twelve modules before they became store/, report/ and cli/
# (taken from phonogap 0.1), and where each lives now.
MOVED = {
    "phonogap.cli": {
        "phonogap.cli.app": "build_parser cmd_compare_phonons cmd_plot cmd_results",
        "phonogap.cli.run": "cmd_demo cmd_run demo_workflow",
        "phonogap.cli.common": "console log_console",
    },
    "phonogap.cli_cluster": {
        "phonogap.cli.cluster": "add_campaign_results_options add_cluster_commands "
        "campaign_results cmd_db cmd_submit",
        "phonogap.cli.tables": "print_campaign",
        "phonogap.cli.run": "run_campaign",
    },
    "phonogap.runner": {
        "phonogap.cli.run": "FlowFailedError run_extension_flow run_flow",
        "phonogap.report.outputs": "band_path_from_document write_extension_outputs "
        "write_melt_quench_outputs write_outputs write_scan_outputs",
    },
    "phonogap.results": {
        "phonogap.store.queries": "BENCHMARK_JOB_PREFIX MELT_QUENCH_JOB SCAN_SUMMARY_JOB "
        "SUMMARY_JOB benchmark_document find_melt_quench_errors find_scans find_summaries",
        "phonogap.report.exports": "results_payload write_results_json write_rows",
        "phonogap.report.campaign_rows": "campaign_rows",
    },
    "phonogap.store": {
        "phonogap.store.jobstore": "DATABASE_NAME DEFAULT_STORE_DIR STORE_CONFIG_VARIABLE "
        "STORE_DIR_VARIABLE StoreConfigError describe_store embedded_store get_store "
        "local_server_store mongo_store store_from_file",
    },
    "phonogap.server": {
        "phonogap.store.server": "DATABASE_NAME DATA_COLLECTION DEFAULT_SERVER_DIR "
        "DOCS_COLLECTION LAUNCHPAD_DATABASE SERVER_DIR_VARIABLE SERVER_EXECUTABLE ServerError "
        "ServerInfo create_indexes free_port server_dir server_status start_server stop_server",
    },
    "phonogap.submit": {
        "phonogap.store.launchpad": "LaunchpadConfigError flow_to_fireworks load_launchpad "
        "submit_flow",
        "phonogap.structures.metadata": "structure_metadata",
    },
    "phonogap.plotting": {
        "phonogap.report.figures": "POTENTIAL_COLOR REFERENCE_COLOR plot_band_overlay "
        "plot_kappa plot_rms_bars plot_scan",
    },
    "phonogap.plotting_md": {
        "phonogap.report.figures_md": "plot_melt_quench_errors plot_melt_quench_thermo "
        "plot_phase_errors plot_rms_comparison",
    },
}
# private names other modules imported, renamed where they moved
RENAMED = [
    ("phonogap.results", "_as_model", "phonogap.store.queries", "as_model"),
    ("phonogap.results", "_launchpad_states", "phonogap.store.launchpad", "launchpad_states"),
]
CASES = [
    (old, name, new, name)
    for old, homes in MOVED.items()
    for new, names in homes.items()
    for name in names.split()
] + RENAMED


@pytest.mark.parametrize(("old", "name", "new", "new_name"), CASES)
def test_old_path_gives_the_same_object_and_warns(old, name, new, new_name):
    module = importlib.import_module(old)
    with pytest.warns(DeprecationWarning, match=re.escape(f"{old}.{name} moved to {new}.")):
        found = getattr(module, name)
    assert found is getattr(importlib.import_module(new), new_name)


@pytest.mark.parametrize("old", sorted(MOVED))
def test_aliases_are_exactly_the_old_names(old):
    expected = {name for names in MOVED[old].values() for name in names.split()}
    expected |= {name for module, name, _, _ in RENAMED if module == old}
    assert set(importlib.import_module(old).DEPRECATED_ALIASES) == expected


def test_from_import_of_an_old_name_warns_and_works():
    with pytest.warns(DeprecationWarning, match=r"phonogap\.store\.jobstore\.get_store"):
        from phonogap.store import get_store
    from phonogap.store.jobstore import get_store as new

    assert get_store is new


def test_new_paths_and_unknown_names_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from phonogap.cli import main  # the console-script entry point
        from phonogap.store import queries

    assert callable(main)
    assert queries.SUMMARY_JOB == "summarise_benchmarks"
    for old in MOVED:
        with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
            _ = importlib.import_module(old).no_such_name
