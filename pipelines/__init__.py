"""Ingestion pipelines: validate files with polars, then load them into the DuckDB store in one transaction."""
