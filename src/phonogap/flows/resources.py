"""Per-job resources on clusters: fit, label and benchmark jobs each to their own queue.

A workflow file's ``resources:`` section (:class:`ResourcesSettings`) maps a job *kind*
(``fit``, ``label``, ``benchmark``, ``default`` for the other jobs) to a :class:`JobResources`:
a FireWorks category and queue adapter, and a jobflow-remote worker and resources.
:func:`apply_resources` writes them into each job's ``config.manager_config``, which

* jobflow's ``flow_to_workflow`` copies into the Firework's ``spec`` (``_category``,
  ``_queueadapter``, ``_fworker``), so ``rlaunch``/``qlaunch`` workers of that category pick
  the job up and ``qlaunch`` submits it with those queue settings;
* jobflow-remote reads when the flow is submitted (``worker``, ``resources``,
  ``exec_config``), overriding ``submit_flow(worker=..., resources=...)`` for that job.

Jobs a job creates when it runs (the per-structure phonon benchmarks, the per-configuration
DFT labels, atomate2's relaxations) inherit their parent's manager config (jobflow's
``pass_manager_config``), so they run where their kind runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from jobflow import Flow, Job

__all__ = ["JOB_KINDS", "JobResources", "ResourcesSettings", "apply_resources", "job_kind"]

JobKind = Literal["fit", "label", "benchmark", "default"]

JOB_KINDS: dict[str, str] = {
    "fit_gap": "fit",
    "fit_extended_gap": "fit",
    "relax_with_reference": "label",
    "relax_with_atomate2": "label",
    "label_database": "label",
    "label_database_per_configuration": "label",
    "label_configuration": "label",
    "general_database": "label",
    "benchmark_phonons": "benchmark",
    "phonon_benchmark": "benchmark",
    "kappa": "benchmark",
    "kappa_from_dataset": "benchmark",
    "kappa_attribution": "benchmark",
    "melt_quench_md": "benchmark",
}
"""The job function's name to its kind; every other job is ``default``. ``label`` covers the
reference's calculations (relaxations, labels, the general database's MD)."""


class JobResources(BaseModel):
    """Where one kind of job runs: FireWorks and jobflow-remote settings (any subset)."""

    model_config = ConfigDict(extra="forbid")

    category: str | None = Field(
        None, description="FireWorks category (spec._category): run by workers of this category"
    )
    queueadapter: dict[str, Any] | None = Field(
        None,
        description="FireWorks spec._queueadapter: qlaunch overrides of my_qadapter.yaml "
        "(e.g. {nnodes: 1, ppnode: 32, walltime: '24:00:00', mem: 250G})",
    )
    fworker: str | None = Field(None, description="FireWorks spec._fworker: only this worker")
    worker: str | None = Field(None, description="jobflow-remote worker of the project")
    resources: dict[str, Any] | None = Field(
        None,
        description="jobflow-remote resources: keys of the worker's qtoolkit template "
        "(SLURM: nodes, ntasks, cpus_per_task, mem, time, partition, ...)",
    )
    exec_config: str | None = Field(None, description="jobflow-remote exec_config name")

    def manager_config(self) -> dict[str, Any]:
        """Return the job manager_config entries (only the settings given).

        Returns
        -------
        dict
            ``_category``, ``_queueadapter``, ``_fworker`` (FireWorks) and ``worker``,
            ``resources``, ``exec_config`` (jobflow-remote).
        """
        entries = {
            "_category": self.category,
            "_queueadapter": self.queueadapter,
            "_fworker": self.fworker,
            "worker": self.worker,
            "resources": self.resources,
            "exec_config": self.exec_config,
        }
        return {key: value for key, value in entries.items() if value is not None}


class ResourcesSettings(BaseModel):
    """The ``resources:`` section of a workflow file, by job kind (see :data:`JOB_KINDS`)."""

    model_config = ConfigDict(extra="forbid")

    fit: JobResources | None = Field(None, description="gap_fit jobs (memory, MPI)")
    label: JobResources | None = Field(
        None, description="Reference calculations: relaxations, labels, general database"
    )
    benchmark: JobResources | None = Field(
        None, description="Phonon, kappa and melt-quench benchmarks with the GAP"
    )
    default: JobResources | None = Field(None, description="Every other job (cheap steps)")

    def for_kind(self, kind: str) -> JobResources | None:
        """Return the resources of a kind, or None.

        Parameters
        ----------
        kind
            ``fit``, ``label``, ``benchmark`` or ``default``.

        Returns
        -------
        JobResources or None
            None when that kind is not configured.
        """
        return getattr(self, kind)


def job_kind(job: Job) -> str:
    """Return a job's kind from its function's name (:data:`JOB_KINDS`).

    Parameters
    ----------
    job
        A jobflow Job.

    Returns
    -------
    str
        ``fit``, ``label``, ``benchmark`` or ``default``.
    """
    function = getattr(job.function, "__wrapped__", job.function)
    return JOB_KINDS.get(getattr(function, "__name__", ""), "default")


def _jobs(flow: Flow | Job) -> list[Job]:
    if hasattr(flow, "jobs"):
        return [job for item in flow.jobs for job in _jobs(item)]
    return [flow]


def apply_resources(
    flow: Flow | Job, resources: ResourcesSettings | dict[str, Any] | None
) -> dict[str, int]:
    """Set each job's manager config from the resources of its kind.

    Parameters
    ----------
    flow
        A Flow (nested flows included) or a Job; changed in place.
    resources
        By kind; a mapping is validated as :class:`ResourcesSettings`. None does nothing.

    Returns
    -------
    dict
        Kind to the number of jobs that got resources.
    """
    if resources is None:
        return {}
    settings = ResourcesSettings.model_validate(resources)
    counts: dict[str, int] = {}
    for job in _jobs(flow):
        kind = job_kind(job)
        chosen = settings.for_kind(kind)
        if chosen is None:
            continue
        job.config.manager_config = {**job.config.manager_config, **chosen.manager_config()}
        counts[kind] = counts.get(kind, 0) + 1
    return counts
