"""Orchestration: Dagster definitions, resources and the command-line entry points."""

import warnings

# The one beta parameter the raw asset uses (a backfill of many reports is one run): known and
# chosen, so its warning on every process start is noise.
warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy` .* is currently in beta")
