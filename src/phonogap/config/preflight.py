"""Application layer: check before a run starts everything that can be checked up front.

:func:`preflight` runs in seconds, before any reference calculation: the programs
(``gap_fit``, the reference's executables), the reference's pseudopotentials and elements,
the datasets (readable, labels finite), the output, store and scratch directories (writable)
and the store (reachable within :data:`STORE_TIMEOUT_MS`). Each :class:`Problem` is one line
naming the setting (the workflow file and dotted field, a command-line option or an
environment variable) and the fix; ``phonogap run``, ``demo`` and ``submit`` print them all
and stop with exit status 2, nothing started (:class:`PreflightError`).
"""

from __future__ import annotations

import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phonogap.errors import PhonogapError

if TYPE_CHECKING:
    from phonogap.config.workflow_file import WorkflowFile

__all__ = ["PreflightError", "Problem", "check_store", "preflight", "raise_problems"]

STORE_TIMEOUT_MS = 3000
"""How long the pre-flight waits for a MongoDB server to answer."""


@dataclass(frozen=True)
class Problem:
    """One thing that would make a run fail, found before it starts.

    Attributes
    ----------
    setting
        Where it comes from: ``file.yaml: reference.command``, ``--out``, ``PHONOGAP_STORE_DIR``.
    message
        What is wrong and how to fix it.
    """

    setting: str
    message: str

    def __str__(self) -> str:
        """Return ``setting: message``, one line."""
        return f"{self.setting}: {self.message}"


class PreflightError(PhonogapError, RuntimeError):
    """The pre-flight found problems; nothing was started.

    One problem makes a one-line message; several, a header and one line each.

    Attributes
    ----------
    problems
        Every problem found, one line each.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            super().__init__(f"{self.problems[0]} (nothing was started)")
            return
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"{len(self.problems)} problems found before starting; nothing was started:\n{lines}"
        )


def raise_problems(problems: list[Problem]) -> None:
    """Raise :class:`PreflightError` if there is any problem.

    Parameters
    ----------
    problems
        What :func:`preflight` or :func:`check_store` found.

    Raises
    ------
    PreflightError
        If ``problems`` is not empty.
    """
    if problems:
        raise PreflightError(problems)


def directory_problem(path: str | Path, setting: str) -> Problem | None:
    """Check that a directory exists and is writable, or can be created.

    Parameters
    ----------
    path
        The directory.
    setting
        What sets it (``--out``, ``PHONOGAP_STORE_DIR``), for the message.

    Returns
    -------
    Problem or None
        A problem naming the setting and the fix, or None when the directory is usable.
    """
    path = Path(path).expanduser().absolute()
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        what = "is" if existing == path else f"needs {existing}, which is"
        return Problem(
            setting,
            f"{path} {what} a file, not a directory; set {setting} to a directory "
            "(or move the file away)",
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        where = path if existing == path else f"{existing} (to create {path})"
        return Problem(
            setting,
            f"{where} is not writable; set {setting} to a directory you can write to "
            "(or fix its permissions)",
        )
    return None


def _refused(nodes: list[tuple[str, int]]) -> str | None:
    """Return why no node accepts a TCP connection (refused at once), or None if one does."""
    reasons = []
    for host, port in nodes:
        try:
            with socket.create_connection((host, port), timeout=STORE_TIMEOUT_MS / 1000):
                return None
        except OSError as exc:
            reasons.append(f"{host}:{port}: {exc.strerror or exc}")
    return "; ".join(reasons) or None


def _ping_mongo(docs: Any) -> str | None:
    """Return None if the MongoDB server behind a maggma store answers, else the reason."""
    import pymongo
    from pymongo.errors import PyMongoError
    from pymongo.uri_parser import parse_uri

    options: dict[str, Any] = {"serverSelectionTimeoutMS": STORE_TIMEOUT_MS}
    uri = getattr(docs, "uri", None)
    if uri and uri.startswith("mongodb://"):
        nodes = parse_uri(uri)["nodelist"]
    elif not uri:
        nodes = [(docs.host, int(docs.port))]
    else:
        nodes = []  # mongodb+srv: resolved by pymongo
    if nodes and (reason := _refused(nodes)):
        return reason
    if uri:
        client = pymongo.MongoClient(uri, **options)
    else:
        for key in ("username", "password"):
            if getattr(docs, key, None):
                options[key] = getattr(docs, key)
        client = pymongo.MongoClient(docs.host, docs.port, **options)
    try:
        client.admin.command("ping")
    except PyMongoError as exc:
        return f"{type(exc).__name__}: {str(exc).split(' (configured timeouts')[0][:160]}"
    finally:
        client.close()
    return None


def check_store(store_config: str | None) -> list[Problem]:
    """Check that the store can be built, its directory written and its server reached.

    Parameters
    ----------
    store_config
        ``--store`` (None: ``$PHONOGAP_STORE_CONFIG``, else the embedded store in
        ``$PHONOGAP_STORE_DIR`` or ``~/.phonogap/store``).

    Returns
    -------
    list of Problem
        Empty when the store is usable; a MongoDB server gets :data:`STORE_TIMEOUT_MS`.
    """
    from phonogap.store.jobstore import (
        DEFAULT_STORE_DIR,
        STORE_CONFIG_VARIABLE,
        STORE_DIR_VARIABLE,
        describe_store,
        get_store,
    )

    setting = "--store" if store_config else STORE_CONFIG_VARIABLE
    config = store_config or os.environ.get(STORE_CONFIG_VARIABLE)
    if not config:
        directory = os.environ.get(STORE_DIR_VARIABLE)
        problem = directory_problem(
            directory or DEFAULT_STORE_DIR,
            STORE_DIR_VARIABLE if directory else f"the default store {DEFAULT_STORE_DIR}",
        )
        return [problem] if problem else []
    try:
        store = get_store(config)
    except PhonogapError as exc:
        return [Problem(setting, str(exc))]
    docs = store.docs_store
    if hasattr(docs, "database_path"):  # a MontyStore from a store file
        problem = directory_problem(docs.database_path, f"{setting} ({config}) database_path")
        return [problem] if problem else []
    if not hasattr(docs, "host"):
        return []
    reason = _ping_mongo(docs)
    if reason is None:
        return []
    return [
        Problem(
            setting,
            f"cannot reach the store {describe_store(store)} within "
            f"{STORE_TIMEOUT_MS / 1000:.0f} s ({reason}); start the server (`phonogap db "
            "start` for the local one) or choose another store with --store",
        )
    ]


def _reference_symbols(workflow: WorkflowFile) -> set[str]:
    """Elements of the structures a workflow names (files, directory, bundled allotropes)."""
    from phonogap.structures.io import load_structure, load_structures

    sources = workflow.structures
    if sources is None:
        return set()
    symbols: set[str] = {"Si"} if sources.allotropes else set()
    structures = [load_structure(workflow.base_dir / file) for file in sources.files]
    if sources.directory:
        structures.extend(load_structures(workflow.base_dir / sources.directory).values())
    for structure in structures:
        symbols.update(str(element) for element in structure.composition.elements)
    return symbols


def _dataset_problems(workflow: WorkflowFile, source: str) -> list[Problem]:
    """Import every dataset once: files readable, labels present and finite."""
    from phonogap.importers.registry import import_dataset

    specs: list[tuple[str, Any]] = [
        (f"datasets[{i}]", spec) for i, spec in enumerate(getattr(workflow.maker, "datasets", []))
    ]
    if workflow.base_database is not None and workflow.base_database.dataset is not None:
        specs.append(("base_database.dataset", workflow.base_database.dataset))
    problems = []
    for field, spec in specs:
        path = Path(spec.path)
        if not path.is_absolute():
            path = workflow.base_dir / path
        options = dict(spec.options)
        if spec.name:
            options.setdefault("source", spec.name)
        try:
            import_dataset(spec.importer, str(path), **options)
        except (PhonogapError, OSError) as exc:
            message = " ".join(str(exc).split())
            problems.append(Problem(f"{source}: {field}.path", message))
    return problems


def launcher_problems(workflow: WorkflowFile, source: str) -> list[Problem]:
    """Check that gap_fit and its launcher (``mpirun``, ``srun``) exist on this machine.

    Parameters
    ----------
    workflow
        The workflow; its ``fit.launcher`` wins over ``PHONOGAP_GAP_FIT_COMMAND``.
    source
        How to name the workflow in messages.

    Returns
    -------
    list of Problem
        One per missing program, naming the setting that chose it.
    """
    from phonogap.fitting.gap_fit import INSTALL_HINT
    from phonogap.fitting.launcher import GAP_FIT_COMMAND_VARIABLE, LauncherError, resolve_launcher

    fit = getattr(workflow.maker, "fit", None)
    try:
        launcher, chosen_by = resolve_launcher(getattr(fit, "launcher", None))
    except LauncherError as exc:
        return [Problem(GAP_FIT_COMMAND_VARIABLE, str(exc))]
    if chosen_by == "default":
        return [] if shutil.which(launcher.executable) else [Problem("PATH", INSTALL_HINT)]
    setting = f"{source}: fit.launcher" if chosen_by == "fit.launcher" else chosen_by
    problems = []
    if launcher.prefix and shutil.which(launcher.prefix[0]) is None:
        problems.append(
            Problem(
                setting,
                f"the launcher {launcher.prefix[0]!r} is not on PATH; install it (e.g. "
                "OpenMPI's mpirun) or change the prefix",
            )
        )
    if shutil.which(launcher.executable) is None:
        problems.append(
            Problem(
                setting,
                f"the gap_fit executable {launcher.executable!r} was not found; give its path "
                "or put it on PATH (pip install quippy-ase ships one)",
            )
        )
    return problems


def preflight(
    workflow: WorkflowFile | str | Path,
    out_dir: str | Path | None = None,
    store_config: str | None = None,
    *,
    source: str | None = None,
    check_the_store: bool = True,
    programs: bool = True,
) -> list[Problem]:
    """Find, in seconds, what would make a workflow fail after hours of work.

    Parameters
    ----------
    workflow
        A validated workflow, or the path of a workflow file.
    out_dir
        ``--out`` (None: not checked).
    store_config
        ``--store`` (see :func:`check_store`).
    source
        How to name the workflow in messages (default: its file name).
    check_the_store
        False skips :func:`check_store` (``submit`` without ``--store``).
    programs
        False skips the executables (``submit``: they must exist where the jobs run).

    Returns
    -------
    list of Problem
        Every problem found, one line each; empty when the run can start.
    """
    from phonogap.config.workflow_file import read_workflow_file

    if not hasattr(workflow, "maker"):
        source = source or str(workflow)
        workflow = read_workflow_file(workflow)
    source = source or "the workflow"
    problems: list[Problem] = []
    if programs:
        problems.extend(launcher_problems(workflow, source))
    reference = getattr(workflow.maker, "reference", None)
    if reference is not None:
        symbols = _reference_symbols(workflow)
        problems.extend(
            Problem(f"{source}: reference", line)
            for line in reference.setup_problems(symbols, programs=programs)
        )
        if reference.is_expensive():
            problem = directory_problem(
                reference.scratch_root(), f"{source}: reference.scratch_dir / PHONOGAP_SCRATCH_DIR"
            )
            problems.extend([problem] if problem else [])
    problems.extend(_dataset_problems(workflow, source))
    if out_dir is not None:
        problem = directory_problem(out_dir, "--out")
        problems.extend([problem] if problem else [])
    if check_the_store:
        problems.extend(check_store(store_config))
    return problems
