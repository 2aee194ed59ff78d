"""Typed output documents keep the shape of the dicts they replace, and are found by class."""

from __future__ import annotations

import copy

import pytest
from jobflow import JobStore, job, run_locally
from maggma.stores import MemoryStore
from pymatgen.core import Lattice, Structure

from phonogap.jobs.kappa import compute_kappa
from phonogap.reference.registry import get_reference
from phonogap.schemas.fit import FitSummary, GapFitDocument
from phonogap.schemas.kappa import KappaDocument, KappaRow, KappaSettings
from phonogap.schemas.md import MeltQuenchErrorsDocument, PhaseErrors
from phonogap.schemas.phonons import BenchmarkRow, BenchmarkSummaryDocument, PhononBenchmarkDocument
from phonogap.schemas.provenance import ReferenceProvenance
from phonogap.schemas.scans import ScanRow, ScanSummaryDocument
from phonogap.schemas.structures import DroppedStructure
from phonogap.store.queries import document_query, find_scans, find_summaries

TRAINING_ERRORS = {
    "energy_rmse_mev_per_atom": 0.8,
    "force_rmse_ev_per_ang": 0.021,
    "virial_rmse_ev_per_atom": None,
    "n_configurations": 41,
    "per_config_type": {"single_displacement": {"n_configurations": 40.0}},
    "force_max_abs_error_ev_per_ang": 0.11,
}

SW_PROVENANCE = {
    "backend": "sw",
    "settings": {"backend": "sw", "species": "Si"},
    "versions": {"ase": "3.23.0"},
}


def old_row(name: str, rms: float, false_instability: bool = False) -> dict:
    """A row exactly as ``PhononBenchmarkDocument.row()`` returned it before the typed rows."""
    return {
        "name": name,
        "mp_id": f"mp-{len(name)}",
        "formula": "Si",
        "rms_thz": rms,
        "max_abs_error_thz": 2 * rms,
        "imaginary_reference": False,
        "imaginary_potential": false_instability,
        "false_instability": false_instability,
        "volume_reference_ang3_per_atom": 20.0,
        "volume_potential_ang3_per_atom": 20.4,
    }


def old_summary() -> dict:
    """A benchmark summary built the old way: every nested field a plain dict."""
    return {
        "run_name": "si",
        "rows": [old_row("mp-149", 0.12), old_row("mp-1095269", 0.5, True)],
        "failed": ["mp-999"],
        "dropped": [{"name": "mp-168", "reason": "changed structure on relaxation"}],
        "median_rms_thz": 0.31,
        "n_false_instabilities": 1,
        "fit": {
            "potential_xml": "/tmp/gap.xml",
            "potential_sha256": "ab" * 32,
            "f": 0.001,
            "f_min_ev_per_ang": 0.01,
            "training_errors": TRAINING_ERRORS,
            "dataset_summary": {"n_configurations": 42, "n_atoms": 2688},
            "wall_time_s": 12.5,
            "n_sparse_soap": 300,
        },
        "settings": {"reference": "sw", "f": 0.001},
        "kappa": [
            {
                "name": "mp-149 GAP",
                "temperatures_k": [300.0, 600.0],
                "kappa_w_per_mk": [180.0, 85.0],
                "method": "finite_displacement",
                "n_supercells": 3,
            }
        ],
    }


def test_old_benchmark_summary_validates_and_dumps_back_unchanged():
    old = old_summary()
    summary = BenchmarkSummaryDocument.model_validate(copy.deepcopy(old))
    assert isinstance(summary.rows[0], BenchmarkRow)
    assert summary.rows[1].false_instability is True
    assert summary.row("mp-149").rms_thz == pytest.approx(0.12)
    assert summary.row("mp-168") is None
    assert summary.dropped == [DroppedStructure(name="mp-168", reason=old["dropped"][0]["reason"])]
    assert isinstance(summary.fit, FitSummary)
    assert summary.fit.training_errors.force_rmse_ev_per_ang == pytest.approx(0.021)
    assert summary.kappa[0] == KappaRow(**old["kappa"][0])
    assert summary.kappa[0].at(600.0) == pytest.approx(85.0)
    assert summary.model_dump() == old
    assert summary.model_dump(mode="json") == old


def test_summary_without_fit_still_loads():
    old = {**old_summary(), "fit": {}}
    assert BenchmarkSummaryDocument.model_validate(old).fit is None


def test_benchmark_row_has_the_keys_of_the_old_row_dict():
    row = old_row("mp-149", 0.12)
    assert set(BenchmarkRow.model_fields) == set(row)
    si = Structure(Lattice.cubic(5.43), ["Si"] * 8, _diamond_coords())
    document = PhononBenchmarkDocument.from_structure(
        si,
        **{k: v for k, v in row.items() if k not in ("max_abs_error_thz",)},
        max_abs_error_thz=row["max_abs_error_thz"],
        n_atoms=8,
        min_frequency_reference_thz=0.0,
        min_frequency_potential_thz=0.0,
        potential_relax_converged=True,
        supercell_matrix=[[2, 0, 0], [0, 2, 0], [0, 0, 2]],
        n_displacements=1,
        potential_sha256="ab" * 32,
    )
    assert document.row().model_dump() == row
    # emmet's structure metadata of the unit cell
    assert document.formula_pretty == "Si"
    assert document.chemsys == "Si"
    assert document.nsites == 8
    assert document.volume == pytest.approx(5.43**3)
    assert document.symmetry.number == 227


def test_old_scan_summary_round_trips():
    variant = {"label": "f=0.001", "f": 0.001, "n_sparse": 300, "with_randomised": False}
    old = {
        "run_name": "scan",
        "parameter": "f",
        "variants": [
            {
                **variant,
                "median_rms_thz": 0.12,
                "n_false_instabilities": 0,
                "fit_wall_time_s": 12.5,
                "soap_sparse_points_used": None,
                "training_force_rmse_ev_per_ang": 0.021,
                "failed": [],
            }
        ],
        "rows": [{**variant, **old_row("mp-149", 0.12)}],
        "failed_variants": ["f=0.1"],
        "settings": {"reference": "sw"},
    }
    scan = ScanSummaryDocument.model_validate(copy.deepcopy(old))
    assert scan.variants[0].median_rms_thz == pytest.approx(0.12)
    assert scan.rows[0].label == "f=0.001"
    assert scan.rows[0].rms_thz == pytest.approx(0.12)
    assert scan.model_dump() == old


def test_sparse_points_used_is_dumped_when_recorded_and_left_out_when_not():
    old = old_summary()
    assert (
        "sparse_points_used" not in BenchmarkSummaryDocument.model_validate(old).model_dump()["fit"]
    )
    new = copy.deepcopy(old)
    new["fit"]["sparse_points_used"] = {"distance_2b": 15, "soap": 20, "soap_2": 7}
    summary = BenchmarkSummaryDocument.model_validate(copy.deepcopy(new))
    assert summary.model_dump() == new
    assert summary.model_dump(mode="json") == new
    assert summary.fit.soap_sparse_points_used() == 27  # every SOAP descriptor, no 2b
    assert FitSummary.model_validate(old["fit"]).soap_sparse_points_used() is None
    no_soap = {**old["fit"], "sparse_points_used": {"distance_2b": 15}}
    assert FitSummary.model_validate(no_soap).soap_sparse_points_used() is None
    variant = {"label": "M=400", "f": 0.001, "n_sparse": 400, "with_randomised": False}
    row = {**variant, **old_row("mp-149", 0.1), "soap_sparse_points_used": 20}
    assert ScanRow.model_validate(row).model_dump() == row


def test_melt_quench_errors_round_trip_and_table():
    snapshot = {
        "index": 0,
        "phase": "liquid",
        "md_step": 10,
        "time_ps": 0.01,
        "temperature_k": 3000.0,
        "energy_error_mev_per_atom": -4.0,
        "force_rmse_ev_per_ang": 0.3,
        "reference_energy_ev_per_atom": -4.1,
    }
    phase = {
        "energy_mae_mev_per_atom": 4.0,
        "energy_mean_mev_per_atom": -4.0,
        "force_rmse_ev_per_ang": 0.3,
        "n_snapshots": 1,
    }
    old = {
        "reference": SW_PROVENANCE,
        "driver": {"potential_xml": "/tmp/gap.xml"},
        "settings": {"melt_temperature_k": 3000.0},
        "potentials": {"base": {"potential_xml": "/tmp/gap.xml", "f": None}},
        "snapshot_errors": {"base": [snapshot]},
        "phase_errors": {"base": {"liquid": phase}},
        "phase_diagnostics": {"liquid": {"temperature_k": 3000.0}},
        "thermo": {},
        "n_atoms": 64,
        "n_snapshots": 1,
        "wall_time_s": 1.0,
        "versions": {},
    }
    document = MeltQuenchErrorsDocument.model_validate(copy.deepcopy(old))
    assert document.phase_errors["base"]["liquid"] == PhaseErrors(**phase)
    assert document.reference.backend == "sw"
    assert document.table() == [{"potential": "base", "phase": "liquid", **phase}]
    assert document.model_dump() == old


@pytest.mark.parametrize(
    "stored",
    [
        SW_PROVENANCE,
        {"backend": "imported", "datasets": [{"importer": "extxyz", "files": [{"path": "a"}]}]},
        {"backend": "imported", "files": {"yaml": "p.yaml"}, "sha256": {"yaml": "ab"}},
        {**SW_PROVENANCE, "backend": "gap", "potential_sha256": "cd", "f": 0.01},
    ],
)
def test_reference_provenance_keeps_every_key(stored):
    provenance = ReferenceProvenance.model_validate(copy.deepcopy(stored))
    assert provenance.backend == stored["backend"]
    assert provenance.model_dump() == stored
    assert set(provenance.extra) == set(stored) - {"backend", "settings", "versions"}


def test_reference_provenance_from_a_backend():
    provenance = get_reference("sw").provenance()
    assert isinstance(provenance, ReferenceProvenance)
    assert provenance.backend == "sw"
    assert provenance.settings["sigma_ang"] == pytest.approx(2.0951)
    assert "ase" in provenance.versions
    assert provenance.extra == {}
    assert ReferenceProvenance.model_validate(provenance.model_dump()) == provenance
    fit = GapFitDocument.model_json_schema()["properties"]["reference"]
    assert "ReferenceProvenance" in str(fit)


@job(output_schema=BenchmarkSummaryDocument)
def _stored_summary(document: dict) -> BenchmarkSummaryDocument:
    return BenchmarkSummaryDocument.model_validate(document)


def test_find_summaries_by_document_class_not_job_name():
    store = JobStore(MemoryStore())
    renamed = _stored_summary(old_summary())
    renamed.name = "whatever"
    run_locally(renamed, store=store, ensure_success=True)
    stored = store.query_one({"uuid": renamed.uuid}, properties=["output"])
    assert stored["output"]["@class"] == "BenchmarkSummaryDocument"
    assert stored["output"]["rows"][0] == old_row("mp-149", 0.12)  # nested rows stay plain
    (found,) = find_summaries(store)
    assert found["uuid"] == renamed.uuid
    assert found["summary"].model_dump() == old_summary()
    assert find_summaries(store, run_name="other") == []
    assert find_scans(store) == []
    # an output without @class (hand-written / old export) is found by the default job name
    legacy = {**old_summary(), "run_name": "legacy"}
    store.docs_store.update(
        [{"uuid": "legacy-uuid", "index": 1, "name": "summarise_benchmarks", "output": legacy}],
        key=["uuid", "index"],
    )
    assert [item["uuid"] for item in find_summaries(store, run_name="legacy")] == ["legacy-uuid"]
    store.docs_store.update(
        [{"uuid": "other-uuid", "index": 1, "name": "unrelated", "output": legacy}],
        key=["uuid", "index"],
    )
    assert len(find_summaries(store, run_name="legacy")) == 1
    assert document_query(BenchmarkSummaryDocument) == {"output.@class": "BenchmarkSummaryDocument"}


def _diamond_coords() -> list[list[float]]:
    fcc = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]
    return fcc + [[x + 0.25, y + 0.25, z + 0.25] for x, y, z in fcc]


def test_kappa_documents_are_queried_by_formula_and_chemsys(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    si = Structure(Lattice.cubic(5.431), ["Si"] * 8, _diamond_coords())
    settings = KappaSettings(supercell_matrix=[1, 1, 1], mesh=(3, 3, 3), temperatures_k=(300,))
    kappa = compute_kappa(si, "sw", settings=settings, name="Si sw")
    store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
    run_locally(kappa, store=store, create_folders=True, ensure_success=True)
    doc = store.query_one(
        {"output.formula_pretty": "Si", "output.chemsys": "Si", "output.nelements": 1},
        properties=["uuid", "output"],
    )
    assert doc is not None
    output = doc["output"]
    assert output["@class"] == "KappaDocument"
    assert output["name"] == "Si sw"
    assert output["elements"] == ["Si"]
    assert output["nsites"] == 8
    assert output["volume"] == pytest.approx(5.431**3)
    assert output["density"] == pytest.approx(2.33, abs=0.01)
    assert output["symmetry"]["number"] == 227
    assert output["reference"]["backend"] == "sw"
    assert store.query_one({"output.chemsys": "Ge-Si"}) is None
    stored = store.get_output(doc["uuid"], load=True)  # fc2 from the data store
    document = KappaDocument.model_validate({k: v for k, v in stored.items() if k[0] != "@"})
    assert document.formula_pretty == "Si"
    assert document.kappa_mean_diagonal_w_per_mk[0] > 0
