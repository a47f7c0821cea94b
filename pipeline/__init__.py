"""News-intelligence pipeline for NATO–Russia tension monitoring.

Stages are plain functions over typed records or DataFrames with documented
columns (see each module's ``COLUMNS``):

ingest -> clean (boilerplate, title) -> dates -> dedup -> actors -> signals
-> figures -> topics -> store
"""

__version__ = "0.1.0"
