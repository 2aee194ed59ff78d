"""Merging a base database with new configurations and the per-config_type sparse split."""

from __future__ import annotations

import pytest
from ase.build import bulk

from phonogap.database.extend import (
    DatabaseMergeError,
    atoms_per_config_type,
    base_sparse_split,
    capped_split,
    extension_sparse_split,
    merge_databases,
    proportional_split,
)
from phonogap.database.general import GeneralDatabaseSettings, strained_diamond
from phonogap.database.isolated_atom import isolated_atom
from phonogap.schemas.keys import CONFIG_TYPE_KEY, RANDOMISED, SINGLE_DISPLACEMENT


def cells(config_type: str, count: int, repeat: int = 1) -> list:
    out = []
    for _ in range(count):
        atoms = bulk("Si", "diamond", a=5.43, cubic=True).repeat((repeat,) * 3)
        atoms.info[CONFIG_TYPE_KEY] = config_type
        out.append(atoms)
    return out


def test_proportional_split_sums_exactly() -> None:
    split = proportional_split({"a": 1, "b": 1, "c": 1}, 100)
    assert sum(split.values()) == 100
    assert sorted(split.values()) == [33, 33, 34]
    assert proportional_split({"liq": 3000, "dia": 1000}, 400) == {"liq": 300, "dia": 100}


def test_capped_split_moves_excess_to_types_with_room() -> None:
    split = capped_split({"small": 50, "big": 50}, {"small": 8, "big": 1000}, "test")
    assert split == {"small": 8, "big": 92}
    with pytest.raises(DatabaseMergeError, match="do not have"):
        capped_split({"surface": 10}, {"liq": 100}, "base")


def test_base_split_in_proportion_to_atoms_or_explicit() -> None:
    base = cells("liq", 3, repeat=2) + cells("dia", 1, repeat=2) + [isolated_atom()]
    assert atoms_per_config_type(base) == {"liq": 192, "dia": 64}
    assert base_sparse_split(base, 100) == {"liq": 75, "dia": 25}
    # an explicit split (e.g. GAP-18's) is rescaled to M_base, not taken from atom counts
    assert base_sparse_split(base, 100, {"liq": 1, "dia": 1}) == {"liq": 50, "dia": 50}


def test_extension_split_gives_new_data_m_new() -> None:
    base = cells("liq", 4, repeat=2) + cells("amorph", 4, repeat=2)
    new = cells(SINGLE_DISPLACEMENT, 1, repeat=2) + cells(RANDOMISED, 3, repeat=2)
    split = extension_sparse_split(base, new, 90, 30)
    assert split == {"liq": 45, "amorph": 45, SINGLE_DISPLACEMENT: 8, RANDOMISED: 22}
    assert sum(split.values()) == 120
    with_atom = extension_sparse_split([*base, isolated_atom()], new, 90, 30)
    assert with_atom == {**split, "isolated_atom": 1}  # e0 configuration gets its own point


def test_merge_keeps_one_isolated_atom_and_rejects_clashing_types() -> None:
    base = [*cells("liq", 2), isolated_atom()]
    new = [*cells(SINGLE_DISPLACEMENT, 2), isolated_atom()]
    merged = merge_databases(base, new)
    kinds = [a.info[CONFIG_TYPE_KEY] for a in merged]
    assert kinds == ["liq", "liq", "isolated_atom", SINGLE_DISPLACEMENT, SINGLE_DISPLACEMENT]
    with pytest.raises(DatabaseMergeError, match="rename"):
        merge_databases(cells(RANDOMISED, 1), cells(RANDOMISED, 1))


def test_strained_diamond_cells_are_strained_and_seeded() -> None:
    settings = GeneralDatabaseSettings(n_strained=4, max_strain=0.03, rattle_std_ang=0.0)
    first, again = strained_diamond(settings), strained_diamond(settings)
    volumes = [a.get_volume() / len(a) for a in first]
    assert all(abs(v / (5.431**3 / 8) - 1) < 0.1 for v in volumes)
    assert len({round(v, 6) for v in volumes}) == 4  # every cell differently strained
    assert [a.get_volume() for a in again] == [a.get_volume() for a in first]
