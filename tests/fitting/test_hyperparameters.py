"""Hyperparameters, the gap_fit argument list, e0 and checksums: no gap_fit run needed."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from pydantic import ValidationError

from phonogap.fitting import (
    GapHyperparameters,
    SoapDescriptor,
    TwoBodyDescriptor,
    e0_from_isolated_atoms,
    gap_fit_arguments,
    potential_checksum,
    potential_files,
    resolve_e0,
    run_gap_fit,
)
from phonogap.fitting.gap_fit import IGNORE
from phonogap.schemas.keys import ENERGY_KEY, ISOLATED_ATOM

# PAPER.md, "GAP-18 hyperparameters", verbatim.
GAP18_SOAP = (
    "soap l_max=12 n_max=10 atom_sigma=0.5 zeta=4 cutoff=5.0 cutoff_transition_width=1.0 "
    "central_weight=1.0 n_sparse=9000 delta=3.0 f0=0.0 covariance_type=dot_product "
    "sparse_method=cur_points"
)
GAP18_CONFIG_TYPE_SIGMA = (
    "config_type_sigma={liq:0.003:0.15:0.2:0.0:amorph:0.01:0.2:0.4:0.0:sp:0.01:0.2:0.4:0.0}"
)


def _args(hyper: GapHyperparameters, **kwargs) -> list[str]:
    kwargs.setdefault("e0", {"Si": -0.5})
    kwargs.setdefault("has_virials", True)
    return gap_fit_arguments(hyper, Path("train.xyz"), Path("gap.xml"), **kwargs)


def _options(args: list[str]) -> dict[str, str]:
    return dict(token.split("=", 1) for token in args[1:])


def test_gap18_arguments_match_paper():
    args = _args(GapHyperparameters.gap18())
    options = _options(args)
    assert args[0] == "gap_fit"
    assert f"gap={{{GAP18_SOAP}}}" in args
    assert "default_sigma={0.001 0.1 0.05 0.0}" in args
    assert GAP18_CONFIG_TYPE_SIGMA in args
    assert float(options["sparse_jitter"]) == 1.0e-8
    assert float(options["e0_offset"]) == 2.0
    assert options["e0"] == "{Si:-0.5}"
    assert options["atoms_filename"] == "train.xyz"
    assert options["gap_file"] == "gap.xml"
    assert options["energy_parameter_name"] == "REF_energy"
    assert options["force_parameter_name"] == "REF_forces"
    assert options["virial_parameter_name"] == "REF_virial"
    # force_atom_<sigma_parameter_name> must be the database's force_atom_sigma
    assert options["sigma_parameter_name"] == "sigma"
    assert options["stress_parameter_name"] == IGNORE
    assert options["do_copy_at_file"] == "F"
    assert options["sparse_separate_file"] == "T"
    assert int(options["rnd_seed"]) >= 1


def test_arguments_are_plain_key_value_tokens():
    hyper = GapHyperparameters.small().model_copy(
        update={"extra": {"verbosity": "NORMAL"}, "config_type_n_sparse": {"a": 2, "b": 1}}
    )
    args = _args(hyper, extra=["condition_number_norm=I"])
    keys = [token.split("=", 1)[0] for token in args[1:]]
    assert len(keys) == len(set(keys)), "an option appears twice"
    for token in args:
        assert not set(token) & set("'\"\\`$;|&<>\n"), f"shell quoting/metacharacter in {token!r}"
    for token in args[1:]:
        assert "=" in token
        assert token.count("{") == token.count("}")
    assert args[-2:] == ["verbosity=NORMAL", "condition_number_norm=I"]


def test_small_preset_and_two_body_string():
    small = GapHyperparameters.small()
    assert (small.soap.l_max, small.soap.n_max) == (6, 8)
    assert 100 <= small.soap.n_sparse <= 1000
    assert small.two_body is not None
    assert GapHyperparameters.gap18().two_body is None
    gap = small.gap_string()
    assert gap.startswith("{distance_2b cutoff=5.0 covariance_type=ard_se ")
    assert "theta_uniform=1.0 n_sparse=15 sparse_method=uniform : soap l_max=6 n_max=8 " in gap
    assert gap.endswith("sparse_method=cur_points}")


def test_with_n_sparse_returns_a_copy():
    gap18 = GapHyperparameters.gap18()
    smaller = gap18.with_n_sparse(500)
    assert smaller.soap.n_sparse == 500
    assert gap18.soap.n_sparse == 9000
    assert smaller.total_n_sparse == 500
    split = GapHyperparameters(config_type_n_sparse={"liq": 2000, "amorph": 1000, "sd": 3000})
    rescaled = split.with_n_sparse(1001)
    assert sum(rescaled.config_type_n_sparse.values()) == 1001
    assert rescaled.config_type_n_sparse["sd"] in (500, 501)
    assert split.config_type_n_sparse == {"liq": 2000, "amorph": 1000, "sd": 3000}
    with pytest.raises(ValueError):
        gap18.with_n_sparse(0)


def test_config_type_n_sparse_replaces_n_sparse(caplog):
    hyper = GapHyperparameters(config_type_n_sparse={"liq": 20, ISOLATED_ATOM: 1})
    soap = hyper.gap_string()
    assert "config_type_n_sparse={liq:20:isolated_atom:1}" in soap
    assert "n_sparse=" not in soap.replace("config_type_n_sparse", "")
    caplog.set_level(logging.WARNING)
    _args(hyper.model_copy(update={"config_type_n_sparse": {"liq": 20}}))
    assert "isolated_atom" in caplog.text


@pytest.mark.parametrize(
    "bad",
    [
        {"default_sigma": (0.0, 0.1, 0.05, 0.0)},
        {"default_sigma": (0.001, -0.1, 0.05, 0.0)},
        {"config_type_sigma": {"bad name": (0.001, 0.1, 0.05, 0.0)}},
        {"config_type_sigma": {"a:b": (0.001, 0.1, 0.05, 0.0)}},
        {"config_type_n_sparse": {"a": 0}},
        {"rnd_seed": 0},
        {"sparse_jitter": 0.0},
        {"e0": {"Xx": 1.0}},
        {"extra": {"core_ip_args": "{IP 'Glue'}"}},
        {"not_a_field": 1},
    ],
)
def test_invalid_hyperparameters_are_rejected(bad):
    with pytest.raises(ValidationError):
        GapHyperparameters(**bad)


def test_descriptor_validation_and_extra_forbidden():
    with pytest.raises(ValidationError):
        SoapDescriptor(cutoff=1.0, cutoff_transition_width=1.0)
    with pytest.raises(ValidationError):
        SoapDescriptor(lmax=4)
    with pytest.raises(ValidationError):
        TwoBodyDescriptor(covariance_type="dot_product")


def test_extra_cannot_override_managed_options():
    hyper = GapHyperparameters(extra={"gap_file": "other.xml"})
    with pytest.raises(ValueError, match="gap_file"):
        _args(hyper)
    with pytest.raises(ValueError, match="rnd_seed"):
        _args(GapHyperparameters(), extra=["rnd_seed=5"])


def test_json_round_trip():
    hyper = GapHyperparameters.small().model_copy(update={"e0": {"Si": -158.5}})
    again = GapHyperparameters.model_validate_json(hyper.model_dump_json())
    assert again == hyper
    assert _args(again) == _args(hyper)


def test_virials_switched_off_and_scalar_e0():
    options = _options(_args(GapHyperparameters.gap18(), e0=-158.54496821, has_virials=False))
    assert options["virial_parameter_name"] == IGNORE
    assert float(options["e0"]) == -158.54496821


def _isolated(symbol: str, energy: float) -> Atoms:
    atoms = Atoms(symbol, cell=[15.0] * 3, pbc=True)
    atoms.info[ENERGY_KEY] = energy
    atoms.info["config_type"] = ISOLATED_ATOM
    return atoms


def test_e0_from_isolated_atoms():
    bulk = Atoms("Si2", positions=[[0, 0, 0], [1.3, 1.3, 1.3]], cell=[5.4] * 3, pbc=True)
    configurations = [bulk, _isolated("Si", -0.25)]
    assert e0_from_isolated_atoms(configurations) == {"Si": -0.25}
    assert resolve_e0(GapHyperparameters(), configurations) == {"Si": -0.25}
    assert resolve_e0(GapHyperparameters(e0=-1.0), configurations) == -1.0
    with pytest.raises(ValueError, match="isolated_atom"):
        resolve_e0(GapHyperparameters(), [bulk])
    with pytest.raises(ValueError, match="different energies"):
        e0_from_isolated_atoms([_isolated("Si", -0.25), _isolated("Si", -0.3)])


def _fake_potential(directory: Path, label: str) -> Path:
    xml = directory / "gap.xml"
    sparse = [f"gap.xml.sparseX.{label}{i}" for i in (1, 2)]
    xml.write_text(
        f"<{label}>\n"
        + "".join(
            f'<gpCoordinates label="{label}{i}" sparseX_filename="{sparse[i - 1]}"/>\n'
            for i in (1, 2)
        )
        + f"</{label}>\n"
    )
    for i, name in enumerate(sparse):
        (directory / name).write_bytes(np.arange(4.0 + i).tobytes())
    return xml


def test_potential_checksum_covers_all_files(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    xml_one = _fake_potential(one, "GAP_2026_1_1_0_1_2_3_4")
    xml_two = _fake_potential(two, "GAP_2026_1_1_0_9_9_9_9")
    files = potential_files(xml_one)
    assert [p.name for p in files] == [
        "gap.xml",
        "gap.xml.sparseX.GAP_2026_1_1_0_1_2_3_41",
        "gap.xml.sparseX.GAP_2026_1_1_0_1_2_3_42",
    ]
    checksum = potential_checksum(xml_one)
    assert len(checksum) == 64
    assert checksum == potential_checksum(xml_one)
    assert checksum != potential_checksum(xml_two)  # different labels
    assert potential_checksum(xml_one, ignore_label=True) == potential_checksum(
        xml_two, ignore_label=True
    )
    files[2].write_bytes(b"changed")
    assert potential_checksum(xml_one) != checksum
    files[1].unlink()
    with pytest.raises(FileNotFoundError, match="sparseX"):
        potential_checksum(xml_one)


def test_missing_gap_fit_gives_install_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    args = _args(GapHyperparameters.small())
    with pytest.raises(FileNotFoundError, match="pip install quippy-ase"):
        run_gap_fit(args, tmp_path / "fit")
