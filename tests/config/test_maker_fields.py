"""The Makers validate and coerce their fields, document them once, and build campaigns."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from jobflow import Flow, Maker
from pydantic import ValidationError

import phonogap.flows
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.settings import ExtensionFitSettings, FitSettings
from phonogap.flows import ExtendDatabaseMaker, PhononAccurateGapMaker
from phonogap.flows.campaign import CampaignMaker
from phonogap.flows.maker_fields import maker_fields_model
from phonogap.jobs.campaign import CAMPAIGN_JOB
from phonogap.phonons.kappa_benchmark import KappaBenchmarkSettings
from phonogap.reference.stillinger_weber import StillingerWeberReference
from phonogap.schemas.campaign import CampaignStructureRow
from phonogap.structures.allotropes import silicon_allotropes


def flow_makers() -> list[type[Maker]]:
    """Every Maker dataclass defined in a module of phonogap.flows."""
    import pkgutil

    found = {}
    for info in pkgutil.iter_modules(phonogap.flows.__path__, "phonogap.flows."):
        module = __import__(info.name, fromlist=["_"])
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, Maker)
                and value.__module__ == info.name
                and dataclasses.is_dataclass(value)
            ):
                found[value.__name__] = value
    return [found[name] for name in sorted(found)]


def test_reference_name_and_fit_mapping_are_coerced():
    maker = PhononAccurateGapMaker(reference="sw", fit={"preset": "small", "n_sparse": 50})
    assert isinstance(maker.reference, StillingerWeberReference)
    assert isinstance(maker.fit, FitSettings)
    assert maker.fit.n_sparse == 50
    assert maker.fit.hyperparameters == GapHyperparameters.small().with_n_sparse(50)
    assert maker.fit.f == 0.001  # the default next to the preset


def test_settings_models_are_taken_as_given():
    fit = FitSettings(hyperparameters=GapHyperparameters.small(), f=0.01)
    maker = PhononAccurateGapMaker(fit=fit, kappa=KappaBenchmarkSettings(structures=["mp-149"]))
    assert maker.fit == fit
    assert maker.kappa.structures == ["mp-149"]


def test_unknown_settings_key_is_a_validation_error_with_its_location():
    with pytest.raises(ValidationError) as error:
        PhononAccurateGapMaker(fit={"presett": 1})
    (item,) = error.value.errors()
    assert item["loc"] == ("fit", "presett")
    assert "fit.presett" in str(error.value)


def test_invalid_values_name_the_field():
    with pytest.raises(ValidationError, match=r"fit\.f\n"):
        PhononAccurateGapMaker(fit={"f": -1})
    with pytest.raises(ValidationError, match="unknown reference backend 'vsp'"):
        PhononAccurateGapMaker(reference="vsp")
    with pytest.raises(ValidationError, match=r"extension\.n_sparse_base"):
        ExtendDatabaseMaker(fit={"n_sparse": 5})


def test_extension_fit_has_its_own_f_default():
    assert ExtendDatabaseMaker(fit={"preset": "small"}).fit.f == 0.01
    assert isinstance(ExtendDatabaseMaker().fit, ExtensionFitSettings)
    assert PhononAccurateGapMaker(fit={"preset": "small"}).fit.f == 0.001


def test_replace_keeps_the_fields_valid():
    maker = PhononAccurateGapMaker(fit={"preset": "small"})
    assert dataclasses.replace(maker, fit={"preset": "small", "n_sparse": 7}).fit.n_sparse == 7
    with pytest.raises(ValidationError):
        dataclasses.replace(maker, relax={"fmax": 1})


def test_the_makers_of_flows_are_found():
    names = {maker.__name__ for maker in flow_makers()}
    assert {
        "PhononAccurateGapMaker",
        "ImportedDataGapMaker",
        "ExtendDatabaseMaker",
        "GeneralDatabaseMaker",
        "CampaignMaker",
    } <= names


@pytest.mark.parametrize("maker_class", flow_makers(), ids=lambda cls: cls.__name__)
def test_every_field_is_described_by_the_makers_docstring(maker_class):
    model = maker_fields_model(maker_class)
    init_fields = [field.name for field in dataclasses.fields(maker_class) if field.init]
    assert list(model.model_fields) == init_fields
    for name, field in model.model_fields.items():
        assert field.description, f"{maker_class.__name__}.{name} has no description"
        assert field.description in " ".join(inspect.getdoc(maker_class).split())


def test_fit_description_is_the_numpydoc_entry():
    description = maker_fields_model(PhononAccurateGapMaker).model_fields["fit"].description
    assert description.startswith("GAP hyperparameters (``preset``, M as ``n_sparse``)")
    assert "f = 0.001" in description


def campaign_base() -> PhononAccurateGapMaker:
    return PhononAccurateGapMaker(
        reference="sw",
        database={"strategy": "both", "n_randomised": 1, "min_supercell_length_ang": 9.0},
        fit={"preset": "small", "n_sparse": 80},
        kappa={"structures": ["mp-149"]},
        n_workers=1,
    )


@pytest.fixture(scope="module")
def two_allotropes():
    allotropes = silicon_allotropes(["mp-149", "mp-165"])
    return {a.mp_id: a.structure for a in allotropes}, {a.mp_id: a.mp_id for a in allotropes}


def test_campaign_maker_builds_one_flow_per_structure(two_allotropes):
    structures, mp_ids = two_allotropes
    maker = CampaignMaker(name="py_campaign", base=campaign_base())
    flow = maker.make(structures, mp_ids)
    assert isinstance(flow, Flow)
    assert flow.name == "py_campaign"
    *sub_flows, summary = flow.jobs
    assert [sub.name for sub in sub_flows] == ["py_campaign mp-149", "py_campaign mp-165"]
    assert all(isinstance(sub, Flow) for sub in sub_flows)
    assert summary.name == CAMPAIGN_JOB
    assert summary.metadata["campaign"] == "py_campaign"
    for sub, name in zip(sub_flows, ["mp-149", "mp-165"], strict=True):
        names = [job.name for job in sub.jobs]
        assert names[:4] == ["relax_with_reference", "build_database", "label_database", "fit_gap"]
        assert names[-1] == "benchmark_phonons"
        # kappa only for the structure the base asks it of
        assert any(n.startswith("kappa ") for n in names) == (name == "mp-149")
        for job in sub.jobs:
            assert job.metadata == {
                "campaign": "py_campaign",
                "structure": name,
                "formula": "Si",
                "mp_id": name,
            }
    assert flow.output is not None


def test_campaign_maker_skips_finished_structures(two_allotropes):
    structures, mp_ids = two_allotropes
    row = CampaignStructureRow(
        campaign="py_campaign", structure="mp-149", formula="Si", state="done", rms_thz=0.01
    )
    maker = CampaignMaker(name="py_campaign", base=campaign_base())
    flow = maker.make(structures, mp_ids, finished={"mp-149": row})
    *sub_flows, summary = flow.jobs
    assert [sub.name for sub in sub_flows] == ["py_campaign mp-165"]
    assert summary.name == CAMPAIGN_JOB
    # the finished structure's row is carried into the summary
    assert summary.function_args[3] == [row.model_dump()]
    # skip_finished=False runs it again
    again = CampaignMaker(name="py_campaign", base=campaign_base(), skip_finished=False)
    assert len(again.make(structures, mp_ids, finished={"mp-149": row}).jobs) == 3


def test_campaign_maker_validates_its_base():
    with pytest.raises(ValidationError, match=r"base"):
        CampaignMaker(base="not a maker")
    with pytest.raises(ValueError, match="at least one structure"):
        CampaignMaker().make({})
