"""Presets inside settings models: ``{preset: small, ...}`` expands in a validator.

A settings model that offers presets lists them in a mapping from name to a factory; its
``mode="before"`` validator calls :func:`expand_preset`, so ``{"preset": "ci", "seed": 3}``
becomes the ``ci`` preset's fields with ``seed`` replaced. The same expansion serves workflow
files and Python callers, and the preset name is never stored twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

PRESET_KEY = "preset"
"""The key that names a preset in a settings mapping."""


def deep_merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``overrides`` into a copy of ``base``, recursing into nested mappings.

    Parameters
    ----------
    base
        Settings of a preset, as a mapping.
    overrides
        Fields to change.

    Returns
    -------
    dict
        A new mapping; neither input is changed.
    """
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def expand_preset(data: Any, presets: Mapping[str, Callable[[], BaseModel]]) -> Any:
    """Replace a ``preset`` key by the preset's fields, with the other keys merged on top.

    Parameters
    ----------
    data
        The raw input of a settings model (anything that is not a mapping passes through).
    presets
        Preset name to a factory of the settings model.

    Returns
    -------
    Any
        The expanded mapping, or ``data`` unchanged.

    Raises
    ------
    ValueError
        For an unknown preset name, listing the valid ones.
    """
    if not isinstance(data, Mapping) or PRESET_KEY not in data:
        return data
    fields = dict(data)
    name = fields.pop(PRESET_KEY)
    if name not in presets:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(presets)}")
    return deep_merge(presets[name]().model_dump(), fields)
