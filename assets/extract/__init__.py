"""Layout readers: each turns document lines into RawValue rows with their provenance."""
