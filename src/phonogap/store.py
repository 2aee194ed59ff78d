"""Build the JobStore that phonogap flows write to.

Two kinds, chosen by a jobflow-style configuration file or by default:

* **embedded** (default): maggma ``MontyStore`` collections on SQLite in a directory
  (``~/.phonogap/store`` unless ``PHONOGAP_STORE_DIR`` or ``directory`` says otherwise).
  Needs no server, persists across processes and keeps large arrays in a separate ``data``
  collection. One writer at a time: use a MongoDB server for concurrent workers.
* **from a file**: any ``JOB_STORE`` specification that jobflow understands (e.g. a
  ``MongoStore`` for documents and a ``GridFSStore`` for ``data``), in YAML or JSON, either as
  the whole file or under a top-level ``JOB_STORE`` key (the layout of ``jobflow.yaml``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from jobflow import JobStore
from maggma.stores import MontyStore

DEFAULT_STORE_DIR = Path("~/.phonogap/store")
STORE_DIR_VARIABLE = "PHONOGAP_STORE_DIR"
STORE_CONFIG_VARIABLE = "PHONOGAP_STORE_CONFIG"
DATABASE_NAME = "phonogap"


class StoreConfigError(ValueError):
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
        return JobStore.from_dict_spec(spec)
    except (TypeError, ValueError, KeyError) as exc:
        raise StoreConfigError(f"store configuration {path} is not usable: {exc}") from exc


def get_store(
    config_file: str | Path | None = None, directory: str | Path | None = None
) -> JobStore:
    """Return the JobStore to use.

    Parameters
    ----------
    config_file
        A jobflow-style store file; default ``$PHONOGAP_STORE_CONFIG`` if set.
    directory
        Directory of the embedded store when no file is given.

    Returns
    -------
    JobStore
        The configured store, or the embedded default.
    """
    config_file = config_file or os.environ.get(STORE_CONFIG_VARIABLE)
    if config_file:
        return store_from_file(config_file)
    return embedded_store(directory)


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
    location = getattr(docs, "database_path", None) or getattr(docs, "host", "")
    return f"{type(docs).__name__} {location} ({getattr(docs, 'collection_name', '')})"
