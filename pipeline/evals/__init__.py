"""Evaluations of each stage against real, labelled corpora in ``../shared/data``.

``python -m pipeline eval STAGE`` runs ``pipeline.evals.STAGE.main(argv)``.
"""
