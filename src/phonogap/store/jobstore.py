"""Application layer: build the JobStore that phonogap flows write to.

Chosen, first match wins (:func:`select_store`): ``--store`` (``config_file``),
``$PHONOGAP_STORE_CONFIG``, an embedded store directory (``directory`` or
``$PHONOGAP_STORE_DIR``), the ``JOB_STORE`` of jobflow's configuration file
(``$JOBFLOW_CONFIG_FILE``, else ``~/.jobflow.yaml``, as :class:`jobflow.settings.JobflowSettings`
finds it), and last the embedded store in ``~/.phonogap/store``. The kinds:

* **embedded** (default): maggma ``MontyStore`` collections on SQLite in a directory
  (``~/.phonogap/store`` unless ``PHONOGAP_STORE_DIR`` or ``directory`` says otherwise).
  Needs no server, persists across processes and keeps large arrays in a separate ``data``
  collection. Several runs may share it: connects and writes hold a lock on the folder
  (:mod:`phonogap.store.embedded`); for many concurrent workers a server is faster.
* **from a file**: any ``JOB_STORE`` specification that jobflow understands (e.g. a
  ``MongoStore`` for documents and a ``GridFSStore`` for ``data``), in YAML or JSON, either as
  the whole file or under a top-level ``JOB_STORE`` key (the layout of ``jobflow.yaml``).
* **a MongoDB URI** (``mongodb://host:port/database``): ``MongoStore`` documents and a
  ``GridFSStore`` for ``data``, the layout atomate2 uses on clusters.
* **the local server** (``server``): the SecantusDB server ``phonogap db start`` runs
  (:mod:`phonogap.store.server`), through the ``jobflow.yaml`` it writes.

The same Flow runs unchanged on all of them. The embedded default was chosen by measurement
(``benchmarks/store_speed.py``, README "Benchmarks"): MontyStore needs no process and is fine
for single runs (tens of small outputs), but without indexes it slows with every stored output,
so campaigns and concurrent workers use the local server or MongoDB.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from jobflow import JobStore
from maggma.stores import GridFSStore, MongoStore

from phonogap.errors import PhonogapError
from phonogap.store.embedded import MontyStore, locked

DEFAULT_STORE_DIR = Path("~/.phonogap/store")
STORE_DIR_VARIABLE = "PHONOGAP_STORE_DIR"
STORE_CONFIG_VARIABLE = "PHONOGAP_STORE_CONFIG"
JOBFLOW_CONFIG_VARIABLE = "JOBFLOW_CONFIG_FILE"
"""jobflow's variable naming its configuration file (default ``~/.jobflow.yaml``)."""
DATABASE_NAME = "phonogap"


class StoreConfigError(PhonogapError, ValueError):
    """Raised when a store configuration file cannot be used."""


def embedded_store(directory: str | Path | None = None) -> JobStore:
    """Build the serverless, persistent JobStore.

    Parameters
    ----------
    directory
        Where the SQLite files live. Default: ``$PHONOGAP_STORE_DIR`` or ``~/.phonogap/store``.

    Returns
    -------
    JobStore
        Documents in collection ``outputs``, large arrays in ``outputs_data`` (store ``data``).
    """
    path = Path(directory or os.environ.get(STORE_DIR_VARIABLE) or DEFAULT_STORE_DIR)
    path = path.expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)

    def collection(name: str) -> MontyStore:
        return MontyStore(
            name, database_path=str(path), database_name=DATABASE_NAME, storage="sqlite"
        )

    return JobStore(collection("outputs"), additional_stores={"data": collection("outputs_data")})


def store_from_file(config_file: str | Path) -> JobStore:
    """Build a JobStore from a jobflow-style YAML or JSON file.

    Parameters
    ----------
    config_file
        File holding ``docs_store`` and ``additional_stores`` (optionally under
        ``JOB_STORE``), as in jobflow's documentation.

    Returns
    -------
    JobStore
        The configured store.

    Raises
    ------
    StoreConfigError
        If the file is missing, unparsable or lacks ``docs_store``.
    """
    path = Path(config_file).expanduser()
    if not path.is_file():
        raise StoreConfigError(
            f"store configuration {path} does not exist; give a jobflow-style YAML file "
            "(see launcher_configs/) or omit it to use the embedded store"
        )
    try:
        text = path.read_text()
        spec: Any = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise StoreConfigError(f"store configuration {path} is not valid YAML/JSON: {exc}") from exc
    if isinstance(spec, dict) and "JOB_STORE" in spec:
        spec = spec["JOB_STORE"]
    if not isinstance(spec, dict) or "docs_store" not in spec:
        raise StoreConfigError(
            f"store configuration {path} has no 'docs_store' (at the top level or under "
            "'JOB_STORE'); add e.g. 'docs_store: {type: MongoStore, database: phonogap, "
            "collection_name: outputs, host: localhost, port: 27017}'"
        )
    if spec["docs_store"].get("type") == "MontyStore":
        for store_spec in [spec["docs_store"], *spec.get("additional_stores", {}).values()]:
            if "database_path" in store_spec:
                store_spec["database_path"] = str(
                    (path.parent / Path(store_spec["database_path"]).expanduser()).resolve()
                )
    try:
        return with_locked_monty_stores(JobStore.from_dict_spec(spec))
    except (TypeError, ValueError, KeyError) as exc:
        raise StoreConfigError(f"store configuration {path} is not usable: {exc}") from exc


def with_locked_monty_stores(store: JobStore) -> JobStore:
    """Give a JobStore's on-disk ``MontyStore`` collections the folder lock.

    Parameters
    ----------
    store
        Any JobStore (e.g. from a store file or jobflow's configuration).

    Returns
    -------
    JobStore
        ``store`` itself, or a new JobStore whose maggma ``MontyStore`` collections are
        :class:`phonogap.store.embedded.MontyStore` ones with the same settings.
    """
    stores = [store.docs_store, *store.additional_stores.values()]
    if all(locked(each) is each for each in stores):
        return store
    extra = {name: locked(each) for name, each in store.additional_stores.items()}
    return JobStore(locked(store.docs_store), extra, save=store.save, load=store.load)


def mongo_store(uri: str, database: str | None = None) -> JobStore:
    """Build a JobStore on a MongoDB server: documents in ``outputs``, data in GridFS.

    Parameters
    ----------
    uri
        ``mongodb://host:port[/database]`` (or ``mongodb+srv://...``).
    database
        Database name; default: the URI's, else ``phonogap``.

    Returns
    -------
    JobStore
        ``MongoStore`` documents with a ``GridFSStore`` named ``data``.

    Raises
    ------
    StoreConfigError
        If the URI is malformed.
    """
    from pymongo.errors import ConfigurationError
    from pymongo.uri_parser import parse_uri

    try:
        parsed = parse_uri(uri)
    except ConfigurationError as exc:  # InvalidURI is one
        raise StoreConfigError(f"store URI {uri!r} is not usable: {exc}") from exc
    database = database or parsed.get("database") or DATABASE_NAME
    docs = MongoStore(database=database, collection_name="outputs", uri=uri)
    data = GridFSStore(database=database, collection_name="outputs_data", uri=uri)
    return JobStore(docs, additional_stores={"data": data})


def local_server_store(directory: str | Path | None = None) -> JobStore:
    """Build the JobStore of the running local server (``phonogap db start``).

    Parameters
    ----------
    directory
        Server directory (default ``$PHONOGAP_SERVER_DIR`` or ``~/.phonogap/server``).

    Returns
    -------
    JobStore
        MongoDB documents + GridFS data on the local server.

    Raises
    ------
    StoreConfigError
        If no server is running there.
    """
    from phonogap.store.server import DATABASE_NAME as SERVER_DATABASE
    from phonogap.store.server import server_dir, server_status

    info = server_status(directory)
    if info is None:
        raise StoreConfigError(
            f"no phonogap server is running in {server_dir(directory)}; start one with "
            "`phonogap db start` or give a store file or mongodb:// URI with --store"
        )
    return mongo_store(info.uri, SERVER_DATABASE)


def get_store(
    config_file: str | Path | None = None, directory: str | Path | None = None
) -> JobStore:
    """Return the JobStore to use (see :func:`select_store` for the order).

    Parameters
    ----------
    config_file
        A jobflow-style store file, a ``mongodb://`` URI, or ``server`` (the local server);
        default ``$PHONOGAP_STORE_CONFIG`` if set.
    directory
        Directory of an embedded store.

    Returns
    -------
    JobStore
        The configured store: ``config_file``, an embedded store in ``directory`` or
        ``$PHONOGAP_STORE_DIR``, jobflow's configured ``JOB_STORE``, or the embedded default.
    """
    return select_store(config_file, directory)[0]


def jobflow_config_file() -> tuple[Path, str] | None:
    """Find jobflow's configuration file, if it names a ``JOB_STORE``.

    jobflow (:class:`jobflow.settings.JobflowSettings`) reads ``$JOBFLOW_CONFIG_FILE``, else
    ``~/.jobflow.yaml``, when that file exists and is not empty; without a ``JOB_STORE`` in
    it, jobflow falls back to a MemoryStore, which phonogap does not use for runs.

    Returns
    -------
    tuple or None
        ``(path, how it was found)`` with ``"JOBFLOW_CONFIG_FILE"`` or ``"~/.jobflow.yaml"``,
        or None if there is no such file or it has no ``JOB_STORE``.

    Raises
    ------
    StoreConfigError
        If the file exists but is not valid YAML/JSON.
    """
    from jobflow.settings import DEFAULT_CONFIG_FILE_PATH
    from monty.serialization import loadfn

    named = os.environ.get(JOBFLOW_CONFIG_VARIABLE)
    path = Path(named or DEFAULT_CONFIG_FILE_PATH).expanduser()
    if not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        content = loadfn(path)
    except Exception as exc:
        raise StoreConfigError(f"jobflow configuration {path} is not readable: {exc}") from exc
    if not isinstance(content, dict) or not content.get("JOB_STORE"):
        return None
    return path, JOBFLOW_CONFIG_VARIABLE if named else "~/.jobflow.yaml"


def select_store(
    config_file: str | Path | None = None, directory: str | Path | None = None
) -> tuple[JobStore, str]:
    """Return the JobStore to use and which one it is, and why, for the first log line.

    Order: ``config_file`` (``--store``), ``$PHONOGAP_STORE_CONFIG``, an embedded store in
    ``directory`` or ``$PHONOGAP_STORE_DIR``, the ``JOB_STORE`` of jobflow's configuration
    file (:func:`jobflow_config_file`; read by a fresh
    :class:`~jobflow.settings.JobflowSettings`, so a ``JOBFLOW_CONFIG_FILE`` set after
    jobflow was imported counts), then the embedded store in ``~/.phonogap/store``.

    Parameters
    ----------
    config_file
        ``--store``: a jobflow-style store file, a ``mongodb://`` URI, or ``server``.
    directory
        Directory of an embedded store.

    Returns
    -------
    tuple
        ``(store, description)``, e.g. ``"jobflow config /p/jobflow.yaml
        (JOBFLOW_CONFIG_FILE): MongoStore host:27017 (outputs)"`` or ``"embedded MontyStore
        at /home/u/.phonogap/store (no jobflow config found)"``.
    """
    if config_file:
        reason = "--store"
    elif os.environ.get(STORE_CONFIG_VARIABLE):
        config_file, reason = os.environ[STORE_CONFIG_VARIABLE], STORE_CONFIG_VARIABLE
    if config_file:
        if str(config_file).startswith(("mongodb://", "mongodb+srv://")):
            store = mongo_store(str(config_file))
        elif str(config_file) == "server":
            store = local_server_store()
        else:
            store = store_from_file(config_file)
        return store, f"{describe_store(store)} ({reason} {config_file})"
    if directory or os.environ.get(STORE_DIR_VARIABLE):
        reason = "directory given" if directory else STORE_DIR_VARIABLE
        store = embedded_store(directory)
        return store, f"embedded {describe_store(store)} ({reason})"
    found = jobflow_config_file()
    if found is not None:
        from jobflow.settings import JobflowSettings

        path, how = found
        store = with_locked_monty_stores(JobflowSettings().JOB_STORE)
        return store, f"jobflow config {path} ({how}): {describe_store(store)}"
    store = embedded_store()
    location = getattr(store.docs_store, "database_path", "")
    return store, f"embedded MontyStore at {location} (no jobflow config found)"


def describe_store(store: JobStore) -> str:
    """Describe where a store keeps its documents, for messages.

    Parameters
    ----------
    store
        A JobStore.

    Returns
    -------
    str
        e.g. ``"MontyStore /home/u/.phonogap/store (phonogap.outputs)"``.
    """
    docs = store.docs_store
    location = getattr(docs, "database_path", None) or getattr(docs, "uri", None)
    if not location and getattr(docs, "host", None):
        location = f"{docs.host}:{getattr(docs, 'port', '')}"
    location = location or "in memory"
    return f"{type(docs).__name__} {location} ({getattr(docs, 'collection_name', '')})"
