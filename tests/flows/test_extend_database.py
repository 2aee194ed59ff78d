"""ExtendDatabaseMaker end to end against Stillinger-Weber: split, sigmas, phonons, MD."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from jobflow import run_locally

from phonogap.database.extension_settings import ExtensionSettings
from phonogap.database.extxyz import read_training_xyz
from phonogap.database.general import GeneralDatabaseSettings
from phonogap.database.settings import DatabaseSettings
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.settings import ExtensionFitSettings
from phonogap.flows import ExtendDatabaseMaker, GeneralDatabaseMaker
from phonogap.flows.melt_quench import MeltQuenchMaker
from phonogap.md.protocol import LIQUID, MeltQuenchSettings
from phonogap.schemas.keys import FORCE_ATOM_SIGMA_KEY
from phonogap.structures.allotropes import silicon_allotropes

N_BASE = 120
N_NEW = 40


def tiny_melt_quench() -> MeltQuenchSettings:
    return MeltQuenchSettings.ci().model_copy(
        update={
            "crystal_steps": 20,
            "heating_steps": 20,
            "liquid_steps": 40,
            "cooling_rate_k_per_ps": 67500.0,
            "amorphous_steps": 20,
            "snapshot_interval_steps": 20,
            "seed": 5,
        }
    )


@pytest.fixture(scope="module")
def extended_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    work = tmp_path_factory.mktemp("extend")
    general = GeneralDatabaseMaker(settings=GeneralDatabaseSettings.ci(), n_workers=2).make()
    diamond = silicon_allotropes(["mp-149"])[0]
    maker = ExtendDatabaseMaker(
        name="extend_ci",
        database=DatabaseSettings(n_randomised=2, min_supercell_length_ang=9.0, seed=1),
        fit=ExtensionFitSettings(hyperparameters=GapHyperparameters.small(), f=0.01),
        extension=ExtensionSettings(
            n_sparse_base=N_BASE,
            n_sparse_new=N_NEW,
            benchmark_base=True,
            melt_quench=tiny_melt_quench(),
        ),
        n_workers=2,
    )
    extend = maker.make({"mp-149": diamond.structure}, general.output, mp_ids={"mp-149": "mp-149"})
    from jobflow import Flow

    # the same protocol driven by the extended GAP instead of the reference
    gap_driven = MeltQuenchMaker(
        name="gap_driven", settings=tiny_melt_quench(), driver=extend.output["fit"], n_workers=2
    ).make({"base": extend.output["base_fit"]})
    flow = Flow([general, extend, gap_driven], output=extend.output)
    responses = run_locally(flow, root_dir=work, create_folders=True, ensure_success=True)
    outputs = {uuid: response[max(response)].output for uuid, response in responses.items()}
    return work, outputs


def _by_type(outputs: dict, type_name: str) -> list:
    return [o for o in outputs.values() if type(o).__name__ == type_name]


def gap_xml_sparse(xml: Path) -> tuple[str, list[int]]:
    """Return the gap_fit command line and the n_sparseX of each descriptor from the xml."""
    text = xml.read_text()
    command = re.search(r"<command_line>(.*?)</command_line>", text, re.S).group(1)
    return command, [int(n) for n in re.findall(r'n_sparseX="(\d+)"', text)]


SOAP_KEYS = ("l_max", "n_max", "atom_sigma", "cutoff", "cutoff_transition_width", "central_weight")


def sparse_points_by_config_type(xml: Path) -> Counter:
    """Find the training atom behind every SOAP sparse point of a potential."""
    from ase.io import read
    from quippy.descriptors import Descriptor

    text = xml.read_text()
    command = re.search(r"<command_line>(.*?)</command_line>", text, re.S).group(1)
    soap = re.search(r"soap [^}:]*", command).group(0).split()
    descriptor = Descriptor(" ".join(["soap", *(t for t in soap if t.split("=")[0] in SOAP_KEYS)]))
    (block,) = [
        m
        for m in re.finditer(
            r'<gpCoordinates [^>]*dimensions="(\d+)"[^>]*n_sparseX="(\d+)"'
            r'[^>]*sparseX_filename="([^"]+)"',
            text,
        )
        if int(m.group(1)) > 1
    ]
    dim, n_sparse = int(block.group(1)), int(block.group(2))
    sparse = np.loadtxt(xml.parent / block.group(3)).reshape(n_sparse, dim)
    vectors, types = [], []
    for atoms in read(xml.parent / "training.xyz", ":"):
        data = descriptor.calc(atoms)["data"]
        vectors.append(data)
        types += [atoms.info["config_type"]] * len(data)
    vectors = np.concatenate(vectors)
    found: Counter = Counter()
    for point in sparse:
        distance = np.linalg.norm(vectors - point, axis=1)
        assert distance.min() < 1e-6
        found[types[int(np.argmin(distance))]] += 1
    return found


def test_sparse_split_reaches_gap_fit(extended_run: tuple[Path, dict]) -> None:
    _, outputs = extended_run
    fits = {fit.label: fit for fit in _by_type(outputs, "ExtendedFitDocument")}
    assert set(fits) == {"base", "extended f=0.01"}
    extended, base = fits["extended f=0.01"], fits["base"]
    assert set(extended.sparse_split) == {
        "vacancy",
        "liq",
        "amorph",
        "dia",
        "single_displacement",
        "randomised",
        "isolated_atom",
    }
    assert extended.sparse_split["isolated_atom"] == 1
    assert extended.n_sparse_base == N_BASE and extended.n_sparse_new == N_NEW
    assert sum(extended.sparse_split.values()) == N_BASE + N_NEW + 1
    assert base.sparse_split == {k: extended.sparse_split[k] for k in base.sparse_split}
    assert sum(base.sparse_split.values()) == N_BASE + 1 and base.n_sparse_new == 0
    for fit, total in ((extended, N_BASE + N_NEW + 1), (base, N_BASE + 1)):
        command, n_sparse = gap_xml_sparse(Path(fit.potential_xml))
        pairs = re.search(r"config_type_n_sparse=\{([^}]*)\}", command).group(1).split(":")
        assert dict(zip(pairs[::2], map(int, pairs[1::2]), strict=True)) == fit.sparse_split
        assert total in n_sparse  # the SOAP term has exactly M_base + M_new (+1) points
        # and gap_fit drew them from the config_types asked for: every sparse SOAP vector
        # equals the descriptor of one training atom, whose config_type we count
        found = sparse_points_by_config_type(Path(fit.potential_xml))
        assert found == {k: v for k, v in fit.sparse_split.items() if v}


def test_sigmas_per_config_type(extended_run: tuple[Path, dict]) -> None:
    _work, outputs = extended_run
    (extended,) = [f for f in _by_type(outputs, "ExtendedFitDocument") if f.label != "base"]
    training = read_training_xyz(Path(extended.potential_xml).parent / "training.xyz")
    for atoms in training:
        has_sigma = FORCE_ATOM_SIGMA_KEY in atoms.arrays
        assert has_sigma == (atoms.info["config_type"] == "single_displacement")
    command = " ".join(extended.gap_fit_arguments)
    assert "randomised:0.001:0.1:0.05:0.0" in command
    assert "liq:0.003:0.15:0.2:0.0" in command  # GAP-18's liquid sigma kept for the base


def test_phonons_and_melt_quench(extended_run: tuple[Path, dict]) -> None:
    _, outputs = extended_run
    summaries = {s.run_name: s for s in _by_type(outputs, "BenchmarkSummaryDocument")}
    extended = summaries["extend_ci extended"].rows[0]
    base = summaries["extend_ci base"].rows[0]
    assert extended.rms_thz < 0.1
    assert extended.rms_thz < base.rms_thz
    assert not extended.false_instability
    melts = {
        m.driver.get("potential_xml", "sw"): m
        for m in _by_type(outputs, "MeltQuenchErrorsDocument")
    }
    assert len(melts) == 2
    melt = melts.pop("sw")
    (gap_driven,) = melts.values()
    assert gap_driven.driver["f"] == 0.01  # driven by the extended GAP, labelled by SW
    assert set(gap_driven.phase_errors) == {"base"}
    assert gap_driven.phase_diagnostics[LIQUID]["temperature_k"] > 1500
    assert set(melt.phase_errors) == {"extended", "base"}
    for errors in melt.phase_errors.values():
        assert 0 < errors[LIQUID].force_rmse_ev_per_ang < 2.0
    assert np.isfinite(melt.phase_errors["base"][LIQUID].energy_mae_mev_per_atom)
