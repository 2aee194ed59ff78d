"""Workflow layer: every jobflow ``@job`` of phonogap, one module per stage.

Each job is a thin step around the science packages (``reference``, ``structures``,
``database``, ``fitting``, ``phonons``, ``md``, ``importers``), declares the pydantic document
it returns with ``output_schema`` (so ``job.output.<field>`` is checked when a Flow is built)
and puts big arrays in the ``data`` store. The Makers that link them into Flows live in
:mod:`phonogap.flows`; this package imports neither the Makers nor the application layer.

Modules: :mod:`~phonogap.jobs.structures` (relaxations), :mod:`~phonogap.jobs.database`
(generated and merged databases), :mod:`~phonogap.jobs.labels` (labelling, one job or one
per configuration), :mod:`~phonogap.jobs.importers`, :mod:`~phonogap.jobs.fitting`,
:mod:`~phonogap.jobs.phonons`, :mod:`~phonogap.jobs.kappa`, :mod:`~phonogap.jobs.md` and
:mod:`~phonogap.jobs.summaries`.
"""
