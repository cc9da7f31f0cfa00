"""Dagster assets of the ESG platform, layered landing -> raw -> core -> mart (plus ref)."""
