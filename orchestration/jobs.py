"""Jobs: the full refresh materialises every asset and runs every check."""

import dagster as dg

full_refresh_job = dg.define_asset_job(
    "esg_full_refresh",
    selection=dg.AssetSelection.all(),
    description="Landing folder -> raw -> core -> mart, with all checks.",
)
