"""Streamlit dashboard over the pipeline store (entry point: dashboard/app.py)."""
