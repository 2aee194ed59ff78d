"""Sphinx extension: pages generated from the code at build time.

Two directives, so that the options and the module list are documented once, in the code:

``.. phonogap-workflow-file-reference::``
    Every workflow type (``phonogap.config.WORKFLOW_TYPES``), its Maker's fields as
    :func:`phonogap.flows.maker_fields.maker_fields_model` sees them (type, default,
    description from the Maker's numpydoc ``Parameters``), the top-level keys that are not
    Maker fields, every settings model reachable from those fields (pydantic
    ``model_fields``), and the reference backends with their settings.

``.. phonogap-api-modules:: LAYER``
    One ``automodule`` per module of ``phonogap`` in that layer (``science``, ``workflow``,
    ``application``), found with :func:`pkgutil.walk_packages` at build time, so modules
    that move between packages need no docs change. Deprecation shims (modules defining
    ``DEPRECATED_ALIASES``) and private modules are skipped.

The generated reStructuredText can be printed for inspection::

    PYTHONPATH=src python3 docs/_ext/phonogap_docs.py workflow-files
    PYTHONPATH=src python3 docs/_ext/phonogap_docs.py api science

A ``missing-reference`` handler resolves cross-references to re-exported names (e.g.
``phonogap.flows.PhononAccurateGapMaker``) to the object's defining module, and short names
(``DatasetSpec``) to the one phonogap object of that name.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from pydantic import BaseModel
from pydantic_core import PydanticUndefined
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

PACKAGE = "phonogap"

LAYERS: dict[str, tuple[str, ...]] = {
    "science": (
        "reference",
        "importers",
        "structures",
        "database",
        "fitting",
        "phonons",
        "md",
        "schemas",
    ),
    "workflow": ("jobs", "flows"),
    "application": ("config", "store", "report", "cli"),
}
"""Layer to its top-level packages; other top-level modules belong to ``application``."""

LAYER_TITLES = {
    "science": "Science layer",
    "workflow": "Workflow layer",
    "application": "Application layer",
}


# --------------------------------------------------------------------------------------------
# The module list
# --------------------------------------------------------------------------------------------


def _is_private(name: str) -> bool:
    return any(part.startswith("_") for part in name.split("."))


def _walk(path: list[str], prefix: str) -> Iterator[str]:
    """Yield module names under ``path``, regular and namespace sub-packages alike."""
    for info in pkgutil.iter_modules(path, prefix):
        yield info.name
        if info.ispkg:
            package = importlib.import_module(info.name)
            yield from _walk(list(package.__path__), info.name + ".")
    # pkgutil skips directories without __init__.py (namespace packages, e.g. during a move)
    for directory in path:
        for child in sorted(Path(directory).iterdir()):
            if (
                child.is_dir()
                and child.name.isidentifier()
                and not (child / "__init__.py").exists()
                and any(child.glob("*.py"))
            ):
                name = prefix + child.name
                yield name
                yield from _walk([str(child)], name + ".")


def documented_modules() -> list[str]:
    """List the public, non-deprecated modules of the package, sorted.

    Returns
    -------
    list of str
        Dotted module names (packages included).
    """
    package = importlib.import_module(PACKAGE)
    names = []
    for name in sorted(set(_walk(list(package.__path__), PACKAGE + "."))):
        if _is_private(name):
            continue
        module = importlib.import_module(name)
        if "DEPRECATED_ALIASES" in vars(module):
            continue
        names.append(name)
    return names


def layer_of(module: str) -> str:
    """Name the layer a module belongs to.

    Parameters
    ----------
    module
        Dotted module name under the package.

    Returns
    -------
    str
        ``science``, ``workflow`` or ``application``.
    """
    top = module.split(".")[1]
    for layer, packages in LAYERS.items():
        if top in packages:
            return layer
    return "application"


def api_rst(layer: str) -> list[str]:
    """Write the ``automodule`` directives of one layer.

    Parameters
    ----------
    layer
        A key of :data:`LAYERS`.

    Returns
    -------
    list of str
        reStructuredText lines: one section and one ``automodule`` per module.
    """
    lines: list[str] = []
    for name in documented_modules():
        if layer_of(name) != layer:
            continue
        title = f"``{name}``"
        lines += [title, "-" * len(title), "", f".. automodule:: {name}", "   :members:", ""]
    return lines


# --------------------------------------------------------------------------------------------
# The workflow file reference
# --------------------------------------------------------------------------------------------


def _label(model: type) -> str:
    return f"wf-{model.__module__}.{model.__qualname__}".lower().replace("_", "-")


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


class WorkflowFileReference:
    """Collects the settings models of the workflow types and writes their tables."""

    def __init__(self) -> None:
        from phonogap.config import WORKFLOW_TYPES
        from phonogap.config.workflow_file import WorkflowSections
        from phonogap.flows.maker_fields import maker_fields_model
        from phonogap.reference.base import Reference
        from phonogap.reference.registry import available_references

        self.workflow_types = WORKFLOW_TYPES
        self.sections_model = WorkflowSections
        self.fields_model = maker_fields_model
        self.reference_base = Reference
        backends = set(available_references())
        self.references = sorted(
            (cls for cls in _subclasses(Reference) if getattr(cls, "backend", None) in backends),
            key=lambda cls: cls.backend,
        )
        self.models: list[type[BaseModel]] = []
        for maker in WORKFLOW_TYPES.values():
            self._collect(maker_fields_model(maker), top=True)
        self._collect(WorkflowSections, top=True)
        for cls in self.references:
            self._collect(cls, top=True)

    def _collect(self, model: type[BaseModel], top: bool = False) -> None:
        if not top:
            if model in self.models or issubclass(model, self.reference_base):
                return
            self.models.append(model)
        for info in model.model_fields.values():
            for nested in _models_in(info.annotation):
                self._collect(nested)

    # -- rendering ---------------------------------------------------------------------------

    def type_text(self, annotation: Any) -> str:
        """Render a type annotation in workflow-file (YAML) terms, with links to models."""
        annotation = _unwrap(annotation)
        origin = typing.get_origin(annotation)
        arguments = typing.get_args(annotation)
        if annotation is type(None):
            return "``null``"
        if annotation is Any:
            return "any"
        if origin is typing.Literal:
            return " | ".join(f"``{_yaml(value)}``" for value in arguments)
        if origin in (typing.Union, types.UnionType):
            parts = [self.type_text(argument) for argument in arguments]
            return " | ".join(f"({part})" if " of " in part else part for part in parts)
        if origin in (list, set, frozenset) or (origin is tuple and arguments[-1:] == (...,)):
            return f"list of {self.type_text(arguments[0])}" if arguments else "list"
        if origin is tuple:
            return "[" + ", ".join(self.type_text(argument) for argument in arguments) + "]"
        if origin is dict:
            key, value = arguments or (Any, Any)
            return f"mapping of {self.type_text(key)} to {self.type_text(value)}"
        if isinstance(annotation, type):
            if issubclass(annotation, self.reference_base):
                return ":ref:`backend name or mapping <wf-references>`"
            if annotation in self.models:
                return f":ref:`{annotation.__name__} <{_label(annotation)}>`"
            return f"``{annotation.__name__}``"
        return f"``{annotation!s}``"

    def default_text(self, info: Any) -> str:
        """Render a field's default, or ``required``."""
        if info.default is PydanticUndefined and info.default_factory is None:
            return "required"
        value = info.get_default(call_default_factory=True, validated_data={})
        if info.default_factory is not None and isinstance(value, str):
            # computed from the environment when the model is created: no machine paths here
            shown = value.replace(str(Path.cwd()), ".").replace(str(Path.home()), "~")
            return f"``{shown}`` (resolved when created)"
        if isinstance(value, self.reference_base):
            changed = _changed_fields(value)
            text = f"``{value.backend}``"
            return text + (f" with {_yaml_fields(changed)}" if changed else "")
        if isinstance(value, BaseModel):
            changed = _changed_fields(value)
            if changed is None:
                return f"``{_yaml(value.model_dump(mode='json'))}``"
            return "defaults" + (f", with {_yaml_fields(changed)}" if changed else "")
        return f"``{_yaml(value)}``"

    def field_table(self, model: type[BaseModel]) -> list[str]:
        """Write a ``list-table`` of a model's fields (key, type, default, description)."""
        lines = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 18 22 20 40",
            "",
            "   * - key",
            "     - type",
            "     - default",
            "     - description",
        ]
        for name, info in model.model_fields.items():
            description = _escape(info.description or self._model_summary(info.annotation))
            lines += [
                f"   * - ``{name}``",
                f"     - {self.type_text(info.annotation)}",
                f"     - {self.default_text(info)}",
                f"     - {description}" if description else "     -",
            ]
        return [*lines, ""]

    def _model_summary(self, annotation: Any) -> str:
        """First line of the docstring of the one settings model a field holds, else ''."""
        models = [model for model in _models_in(annotation) if model in self.models]
        return _first_paragraph(models[0]) if len(models) == 1 else ""

    def rst(self) -> list[str]:
        """Write the whole reference."""
        lines: list[str] = []
        sections = self.sections_model
        title = "Keys that are not Maker fields"
        lines += [title, "-" * len(title), ""]
        lines += _docstring(sections)
        lines += [
            "``structures`` and ``base_database`` are the inputs of the Maker's ``make``; "
            "``scan`` and ``campaign`` wrap the Maker in a scan or campaign Maker.",
            "",
        ]
        lines += self.field_table(sections)
        for workflow, maker in self.workflow_types.items():
            title = f"``workflow: {workflow}``"
            path = f"{maker.__module__}.{maker.__qualname__}"
            lines += [f".. _wf-workflow-{workflow.replace('_', '-')}:", ""]
            lines += [title, "-" * len(title), ""]
            lines += [
                f"Maker: :class:`~{path}`. Every key below is a field of the Maker: "
                f"``{maker.__name__}(key=value, ...)`` in Python, ``key: value`` in the "
                "workflow file.",
                "",
            ]
            summary = _first_paragraph(maker)
            if summary:
                lines += [summary, ""]
            lines += self.field_table(self.fields_model(maker))
        title = "Settings models"
        lines += [title, "-" * len(title), ""]
        lines += [
            "The nested sections. A mapping in a workflow file (or a dict in Python) is "
            "validated against the model; keys that are not listed are refused.",
            "",
        ]
        for model in self.models:
            lines += [f".. _{_label(model)}:", ""]
            title = f"``{model.__name__}``"
            lines += [title, "^" * len(title), ""]
            lines += [f"Python: :class:`{model.__module__}.{model.__qualname__}`.", ""]
            lines += _docstring(model)
            lines += self.field_table(model)
        lines += [".. _wf-references:", ""]
        title = "Reference backends"
        lines += [title, "-" * len(title), ""]
        lines += [
            "``reference`` takes a backend name (``reference: sw``) or a mapping with "
            "``backend`` and that backend's settings (``reference: {backend: qe, "
            "ecutwfc_ry: 22}``); in Python also a reference object.",
            "",
        ]
        for cls in self.references:
            lines += [f".. _wf-reference-{cls.backend}:", ""]
            title = f"``backend: {cls.backend}``"
            lines += [title, "^" * len(title), ""]
            lines += [f"Python: :class:`{cls.__module__}.{cls.__qualname__}`.", ""]
            lines += _docstring(cls)
            if cls.model_fields:
                lines += self.field_table(cls)
            else:
                lines += ["No settings.", ""]
        return lines


def _subclasses(cls: type) -> Iterator[type]:
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def _changed_fields(value: BaseModel) -> dict[str, Any] | None:
    """Fields that differ from the class defaults (``None``: the class has required fields)."""
    try:
        base = type(value)()
    except Exception:  # a model with required fields has no defaults to compare with
        return None
    return {
        name: getattr(value, name)
        for name in type(value).model_fields
        if getattr(value, name) != getattr(base, name)
    }


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def _yaml(value: Any) -> str:
    text = yaml.safe_dump(_plain(value), default_flow_style=True, width=10_000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _yaml_fields(fields: dict[str, Any]) -> str:
    return ", ".join(f"``{name}: {_yaml(value)}``" for name, value in fields.items())


def _escape(text: str) -> str:
    # field descriptions are plain text or inline RST; '|' would start a substitution
    return text.replace("|", r"\|")


def _docstring(obj: type) -> list[str]:
    """Convert a class docstring to reStructuredText (numpydoc sections through napoleon)."""
    from sphinx.ext.napoleon import Config
    from sphinx.ext.napoleon.docstring import NumpyDocstring

    doc = inspect.getdoc(obj)
    if not doc or obj.__doc__ is None or doc == inspect.getdoc(BaseModel):
        return []
    if inspect.cleandoc(obj.__doc__) != doc:  # inherited, not its own
        return []
    config = Config(napoleon_use_param=True, napoleon_use_rtype=True)
    return [*NumpyDocstring(doc, config, what="class").lines(), ""]


def _first_paragraph(obj: type) -> str:
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n")[0].split())


# --------------------------------------------------------------------------------------------
# Sphinx glue
# --------------------------------------------------------------------------------------------


class _GeneratedDirective(SphinxDirective):
    def generated(self) -> list[str]:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        lines = self.generated()
        for module in list(sys.modules.values()):
            file = getattr(module, "__file__", None)
            if file and getattr(module, "__name__", "").startswith(PACKAGE + "."):
                self.env.note_dependency(file)
        content = StringList(lines, source=f"<{self.name}>")
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, content, container)
        return list(container.children)


class WorkflowFileReferenceDirective(_GeneratedDirective):
    """``.. phonogap-workflow-file-reference::``."""

    def generated(self) -> list[str]:
        """Write the workflow file reference."""
        return WorkflowFileReference().rst()


class ApiModulesDirective(_GeneratedDirective):
    """``.. phonogap-api-modules:: LAYER``."""

    required_arguments = 1

    def generated(self) -> list[str]:
        """Write the ``automodule`` directives of the layer named by the argument."""
        layer = self.arguments[0]
        if layer not in LAYERS:
            raise self.error(f"unknown layer {layer!r}; use one of {', '.join(LAYERS)}")
        return api_rst(layer)


def resolve_reexport(app: Sphinx, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve re-exported and short names of phonogap objects.

    ``phonogap.package.Name`` resolves to where ``Name`` is defined; a short name that ends
    exactly one documented phonogap object's full name (``DatasetSpec``) resolves to it.

    Parameters
    ----------
    app, env, node, contnode
        The arguments of Sphinx's ``missing-reference`` event.

    Returns
    -------
    docutils node or None
        The resolved reference, or ``None`` to leave it to others.
    """
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    domain = env.get_domain("py")
    if not target.startswith(PACKAGE + "."):
        # a short name in a docstring (``:class:`DatasetSpec```): the unique phonogap object
        matches = [
            name
            for name, *_ in domain.get_objects()
            if name.startswith(PACKAGE + ".") and name.endswith("." + target)
        ]
        if len(matches) != 1:
            return None
        return domain.resolve_xref(
            env, node["refdoc"], app.builder, node["reftype"], matches[0], node, contnode
        )
    module_name, _, attribute = target.rpartition(".")
    try:
        obj = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError):
        return None
    canonical_module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not canonical_module or not qualname:
        return None
    canonical = f"{canonical_module}.{qualname}"
    if canonical == target:
        return None
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], canonical, node, contnode
    )


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives and the re-export resolver.

    Parameters
    ----------
    app
        The Sphinx application.

    Returns
    -------
    dict
        Extension metadata.
    """
    app.add_directive("phonogap-workflow-file-reference", WorkflowFileReferenceDirective)
    app.add_directive("phonogap-api-modules", ApiModulesDirective)
    app.connect("missing-reference", resolve_reexport)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "workflow-files"
    if what == "workflow-files":
        print("\n".join(WorkflowFileReference().rst()))
    elif what == "api":
        print("\n".join(api_rst(sys.argv[2])))
    elif what == "modules":
        print("\n".join(f"{layer_of(name):12} {name}" for name in documented_modules()))
    else:
        sys.exit(f"usage: {sys.argv[0]} workflow-files | api LAYER | modules")
