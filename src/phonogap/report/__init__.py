"""Application layer: what a run leaves for people to read.

* :mod:`~phonogap.report.figures` and :mod:`~phonogap.report.figures_md`: PNG figures.
* :mod:`~phonogap.report.exports`: JSON and CSV files of results.
* :mod:`~phonogap.report.outputs`: all files of a run, scan or extension, from the store.
* :mod:`~phonogap.report.campaign_rows`: one row per structure of a campaign.
"""
