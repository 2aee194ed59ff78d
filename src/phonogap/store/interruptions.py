"""Application layer: jobs stopped by a signal, recorded in the store as failed.

jobflow's ``run_locally`` stores a job's document only when the job finishes; a job stopped by
SIGTERM, SIGHUP or Ctrl-C would leave no trace. ``phonogap run`` therefore writes, in the
job's place (same ``uuid`` and ``index``), a document whose output is an
:class:`InterruptedJobDocument` (``state: failed``, the signal, the job folder)
(:func:`record_interruption`). A later run of the same flow that ends marks it ``rerun_at``
(:func:`mark_rerun`); ``phonogap results`` lists the interruptions not yet rerun
(:func:`find_interruptions`). Result queries match output classes, so these documents never
pass for results.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from jobflow import JobStore


class InterruptedJobDocument(BaseModel):
    """A job that was running when its ``phonogap`` process was stopped."""

    state: Literal["failed"] = Field("failed", description="Always failed: it did not finish")
    reason: str = Field(description="e.g. 'interrupted by SIGTERM'")
    job_name: str = Field(description="The job's name")
    job_uuid: str = Field(description="The job's uuid")
    job_index: int = Field(1, description="The job's index")
    structure: str = Field("-", description="The structure, if the job name says which")
    run_name: str = Field(description="Name of the flow (the workflow's name)")
    folder: str = Field(description="The job folder")
    started_at: str = Field(description="When the job started (ISO 8601)")
    interrupted_at: str = Field(description="When it was stopped (ISO 8601)")
    rerun_at: str | None = Field(
        None, description="When a later run of the same flow ended, if one did"
    )

    def line(self) -> str:
        """Return the one-line summary, as failed jobs are printed."""
        return (
            f"failed: job {self.job_name!r} (structure {self.structure}) of run "
            f"{self.run_name}: {self.reason} at {self.interrupted_at} [folder {self.folder}]"
        )


RECORD_CLASS = InterruptedJobDocument.__name__
"""``output.@class`` of the interruption records."""


def _as_output(document: InterruptedJobDocument) -> dict[str, Any]:
    cls = type(document)
    return {"@module": cls.__module__, "@class": cls.__name__, **document.model_dump()}


def record_interruption(
    store: JobStore,
    document: InterruptedJobDocument,
    hosts: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
) -> bool:
    """Store an interrupted job in the job's place (its uuid and index).

    Parameters
    ----------
    store
        The run's JobStore (connected).
    document
        What was interrupted.
    hosts, metadata
        The job's flow hierarchy and metadata, as jobflow stores them.

    Returns
    -------
    bool
        False, and nothing written, if the job's own output is already stored (it was
        stopped after writing it): a finished output is never replaced.
    """
    stored = store.query_one(
        {"uuid": document.job_uuid, "index": document.job_index}, properties=["output"]
    )
    if stored is not None and (stored.get("output") or {}).get("@class") != RECORD_CLASS:
        return False
    store.update(
        {
            "uuid": document.job_uuid,
            "index": document.job_index,
            "name": document.job_name,
            "completed_at": document.interrupted_at,
            "metadata": metadata or {},
            "hosts": hosts or [],
            "output": _as_output(document),
            "state": document.state,
        },
        key=["uuid", "index"],
    )
    return True


def _query(run_name: str | None) -> dict[str, Any]:
    criteria: dict[str, Any] = {"output.@class": RECORD_CLASS}
    if run_name is not None:
        criteria["output.run_name"] = run_name
    return criteria


def find_interruptions(
    store: JobStore, run_name: str | None = None, include_rerun: bool = False
) -> list[InterruptedJobDocument]:
    """Find interrupted jobs, newest first.

    Parameters
    ----------
    store
        A connected JobStore.
    run_name
        Only those of this flow.
    include_rerun
        Also those whose flow has run again since.

    Returns
    -------
    list of InterruptedJobDocument
        The interruptions.
    """
    found = [
        InterruptedJobDocument.model_validate(
            {k: v for k, v in doc["output"].items() if not k.startswith("@")}
        )
        for doc in store.query(_query(run_name), properties=["output"])
    ]
    found = [doc for doc in found if include_rerun or doc.rerun_at is None]
    return sorted(found, key=lambda doc: doc.interrupted_at, reverse=True)


def mark_rerun(store: JobStore, run_name: str) -> int:
    """Mark the interruptions of a flow as rerun (a later run of it has ended).

    Parameters
    ----------
    store
        A connected JobStore.
    run_name
        The flow's name.

    Returns
    -------
    int
        How many were marked.
    """
    now = datetime.now().isoformat()
    marked = 0
    for doc in store.query(_query(run_name)):
        if doc["output"].get("rerun_at") is not None:
            continue
        doc.pop("_id", None)
        doc["output"]["rerun_at"] = now
        store.update(doc, key=["uuid", "index"])
        marked += 1
    return marked
