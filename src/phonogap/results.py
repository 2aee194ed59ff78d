"""Deprecated: ``phonogap.results``, store queries, exports and campaign rows, moved to new modules.

Its names now live in :mod:`phonogap.store.queries`, :mod:`phonogap.report.exports` and
:mod:`phonogap.report.campaign_rows`.

Kept for one release: each old name resolves with a ``DeprecationWarning`` naming its new path.
"""

from __future__ import annotations

from typing import Any

from phonogap.deprecation import moved_attribute

DEPRECATED_ALIASES: dict[str, str] = {
    "BENCHMARK_JOB_PREFIX": "phonogap.store.queries:BENCHMARK_JOB_PREFIX",
    "MELT_QUENCH_JOB": "phonogap.store.queries:MELT_QUENCH_JOB",
    "SCAN_SUMMARY_JOB": "phonogap.store.queries:SCAN_SUMMARY_JOB",
    "SUMMARY_JOB": "phonogap.store.queries:SUMMARY_JOB",
    "_as_model": "phonogap.store.queries:as_model",
    "benchmark_document": "phonogap.store.queries:benchmark_document",
    "find_melt_quench_errors": "phonogap.store.queries:find_melt_quench_errors",
    "find_scans": "phonogap.store.queries:find_scans",
    "find_summaries": "phonogap.store.queries:find_summaries",
    "_launchpad_states": "phonogap.store.launchpad:launchpad_states",
    "campaign_rows": "phonogap.report.campaign_rows:campaign_rows",
    "results_payload": "phonogap.report.exports:results_payload",
    "write_results_json": "phonogap.report.exports:write_results_json",
    "write_rows": "phonogap.report.exports:write_rows",
}
"""Old name to ``"new.module:attribute"``."""


def __getattr__(name: str) -> Any:
    """Resolve an old name at its new path (PEP 562)."""
    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
