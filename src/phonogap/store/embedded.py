"""Application layer: the embedded store, safe for several processes at once.

maggma's ``MontyStore.connect`` calls montydb's ``set_storage``, which rewrites the store
folder's ``.monty.storage`` (the storage engine's name) and ``monty.storage.cfg`` (its
settings) by truncating and writing them, and then ``MontyClient``, which reads them back. A
second process connecting at that moment reads an empty file and fails (``ValueError: Empty
module name`` for an empty ``.monty.storage``; ``ConfigurationError: montydb has been config
to use BSON`` for an empty ``monty.storage.cfg``). montydb also creates a collection's SQLite
file and table on the first write after checking that the file is missing (two processes
race), and its ``replace_one`` (maggma's ``update``) reads, then writes, outside one
transaction.

:class:`MontyStore` here holds an exclusive ``flock`` on ``<folder>/.phonogap-store.lock``
(:class:`StoreLock`) while it connects (configuration written and read back, collection
table created) and while it writes (``update``, ``remove_docs``). Reads need no lock: SQLite
in WAL mode (montydb's setting) gives readers a consistent snapshot while one process writes.
The kernel drops a ``flock`` when its process dies, so a killed run never leaves the store
locked; a lock held longer than :data:`LOCK_TIMEOUT_S` (a stopped process) fails with a
:class:`StoreLockedError` naming the folder and the fix.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from maggma.stores import MontyStore as MaggmaMontyStore
from montydb.errors import CollectionInvalid

from phonogap.errors import PhonogapError

try:
    import fcntl
except ImportError:  # pragma: no cover - not Linux/macOS: no cross-process lock
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".phonogap-store.lock"
"""The lock file in an embedded store's folder."""
LOCK_TIMEOUT_S = 300.0
"""Longest wait for another process's connect or write (each takes well under a second)."""
_FIRST_POLL_S = 0.001
_LAST_POLL_S = 0.05


class StoreLockedError(PhonogapError, TimeoutError):
    """Raised when an embedded store stays locked by another process for too long."""


class _Held:
    """One lock file as held by this process: its descriptor and nesting depth."""

    def __init__(self) -> None:
        self.thread_lock = threading.RLock()
        self.fd: int | None = None
        self.depth = 0


_HELD: dict[str, _Held] = {}
_HELD_GUARD = threading.Lock()


def _forget_after_fork() -> None:
    """Drop the inherited handles in a forked child (it does not hold its parent's lock)."""
    for held in _HELD.values():
        if held.fd is not None:
            with contextlib.suppress(OSError):
                os.close(held.fd)  # closing a copy leaves the parent's lock in place
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


class StoreLock:
    """An exclusive lock on an embedded store folder, across processes and threads.

    Re-entrant within one process (the docs and data collections share a folder and so a
    lock). Uses ``flock``, released by the kernel when the process ends.

    Parameters
    ----------
    directory
        The store folder (holds the lock file :data:`LOCK_FILE`).
    timeout_s
        Longest wait before :class:`StoreLockedError`.
    """

    def __init__(self, directory: str | Path, timeout_s: float = LOCK_TIMEOUT_S) -> None:
        self.directory = Path(directory).expanduser().resolve()
        self.path = self.directory / LOCK_FILE
        self.timeout_s = timeout_s

    def _held(self) -> _Held:
        with _HELD_GUARD:
            return _HELD.setdefault(str(self.path), _Held())

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the lock for the block (waiting up to ``timeout_s`` for other processes).

        Raises
        ------
        StoreLockedError
            If another process keeps it longer than ``timeout_s``.
        """
        held = self._held()
        with held.thread_lock:
            if held.depth == 0:
                self._acquire(held)
            held.depth += 1
            try:
                yield
            finally:
                held.depth -= 1
                if held.depth == 0 and held.fd is not None and fcntl is not None:
                    fcntl.flock(held.fd, fcntl.LOCK_UN)

    def _acquire(self, held: _Held) -> None:
        if fcntl is None:  # pragma: no cover
            return
        if held.fd is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            held.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        deadline = time.monotonic() + self.timeout_s
        pause = _FIRST_POLL_S
        while True:
            try:
                fcntl.flock(held.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreLockedError(
                        f"the embedded store {self.directory} has been locked by another "
                        f"process for {self.timeout_s:.0f} s (lock file {self.path}); let the "
                        "other phonogap run finish or stop it, or run concurrent work on a "
                        "server store (`phonogap db start`, then --store server)"
                    ) from None
                time.sleep(pause)
                pause = min(2 * pause, _LAST_POLL_S)


class MontyStore(MaggmaMontyStore):
    """maggma's ``MontyStore`` whose connects and writes hold the folder's :class:`StoreLock`.

    Same name and arguments as maggma's, so messages and checks that name ``MontyStore``
    keep working; see the module documentation for what the lock protects.
    """

    def _lock(self) -> StoreLock:
        return StoreLock(self.database_path)

    def connect(self, force_reset: bool = False) -> None:
        """Connect, with the configuration files written and read under the lock.

        Parameters
        ----------
        force_reset
            Reconnect even if connected.
        """
        if self._coll is not None and not force_reset:
            return
        with self._lock().hold():
            super().connect(force_reset=force_reset)
            with contextlib.suppress(CollectionInvalid):  # created by an earlier connect
                self._coll.database.create_collection(self.collection_name)

    def update(self, docs: list[dict] | dict, key: list | str | None = None) -> None:
        """Insert or replace documents (see maggma) under the lock.

        Parameters
        ----------
        docs
            One document or a list.
        key
            Field(s) that identify a document; default the store's key.
        """
        with self._lock().hold():
            super().update(docs, key=key)

    def remove_docs(self, criteria: dict[str, Any]) -> None:
        """Remove the documents matching ``criteria`` under the lock.

        Parameters
        ----------
        criteria
            A query.
        """
        with self._lock().hold():
            super().remove_docs(criteria)


def locked(store: Any) -> Any:
    """Return ``store`` with the locking :class:`MontyStore` for maggma's on-disk ones.

    Parameters
    ----------
    store
        A maggma store; others are returned unchanged.

    Returns
    -------
    Store
        A locking copy (same settings, not connected) of an on-disk maggma ``MontyStore``.
    """
    if type(store) is not MaggmaMontyStore or store.database_path == ":memory:":
        return store
    return MontyStore(
        store.collection_name,
        database_path=str(Path(store.database_path).expanduser().resolve()),
        database_name=store.database_name,
        storage=store.storage,
        storage_kwargs=store.storage_kwargs,
        client_kwargs=store.client_kwargs,
        **store.kwargs,
    )
