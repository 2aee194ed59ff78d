"""The Makers are the configuration: a pydantic model derived from a Maker's dataclass fields.

:func:`maker_fields_model` turns a Maker class into a pydantic model with one field per
dataclass field: the same name, type and default, and the description from the Maker's
numpydoc ``Parameters`` section. Workflow files are validated against it (so a file has no
names, defaults or docs of its own), and :func:`validate_maker_fields`, called from each
Maker's ``__post_init__``, gives Python callers the same coercions (``reference="sw"``,
``fit={"preset": "small"}``) and the same errors.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model


def parameter_descriptions(cls: type) -> dict[str, str]:
    """Read the numpydoc ``Parameters`` section of a class docstring.

    Parameters
    ----------
    cls
        A class whose docstring documents its fields.

    Returns
    -------
    dict
        Field name to its description (one line); ``a, b`` entries describe both names.
    """
    lines = inspect.cleandoc(cls.__doc__ or "").splitlines()
    if "Parameters" not in lines:
        return {}
    section = lines[lines.index("Parameters") + 2 :]
    for index, line in enumerate(section):
        if line and set(line) <= {"-"}:  # the underline of the next section's header
            section = section[: index - 1]
            break
    descriptions: dict[str, str] = {}
    names: list[str] = []
    for line in section:
        if not line.strip():
            continue
        if not line.startswith(" "):
            names = [name.strip() for name in line.split(":")[0].split(",") if name.strip()]
            descriptions.update(dict.fromkeys(names, ""))
            continue
        for name in names:
            descriptions[name] = f"{descriptions[name]} {line.strip()}".strip()
    return descriptions


@functools.cache
def maker_fields_model(maker_class: type) -> type[BaseModel]:
    """Derive a pydantic model from a Maker dataclass: one field per dataclass field.

    Parameters
    ----------
    maker_class
        A ``@dataclass`` subclass of :class:`jobflow.Maker`.

    Returns
    -------
    type of BaseModel
        Named ``<Maker>Fields``; unknown keys are refused (``extra="forbid"``).
    """
    hints = typing.get_type_hints(maker_class, include_extras=True)
    descriptions = parameter_descriptions(maker_class)
    definitions: dict[str, Any] = {}
    for item in dataclasses.fields(maker_class):
        if not item.init:
            continue
        description = descriptions.get(item.name) or None
        if item.default is not dataclasses.MISSING:
            spec = Field(item.default, description=description)
        elif item.default_factory is not dataclasses.MISSING:
            spec = Field(default_factory=item.default_factory, description=description)
        else:
            spec = Field(description=description)
        definitions[item.name] = (hints[item.name], spec)
    return create_model(
        f"{maker_class.__name__}Fields",
        __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=True),
        __doc__=f"The fields of :class:`{maker_class.__module__}.{maker_class.__name__}`.",
        **definitions,
    )


def validate_maker_fields(maker: Any) -> None:
    """Validate and coerce a Maker's fields in place (call it from ``__post_init__``).

    Parameters
    ----------
    maker
        A Maker instance just built by its dataclass ``__init__``.

    Raises
    ------
    pydantic.ValidationError
        Naming the field (dotted into settings models) and what is wrong.
    """
    model = maker_fields_model(type(maker))
    values = {name: getattr(maker, name) for name in model.model_fields}
    validated = model.model_validate(values)
    for name in model.model_fields:
        object.__setattr__(maker, name, getattr(validated, name))
