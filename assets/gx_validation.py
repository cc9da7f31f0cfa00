"""Great Expectations Core 1.x suites (expectations/*.json) as asset checks.

dagster-ge does not support GX 1.x, so this is a small resource: it builds an ephemeral GX
context, validates a pandas frame read from DuckDB (not a SQL datasource: through SQLAlchemy GX
reports every expectation failed on DuckDB, see STACK_NOTES), keeps validation results in a
folder so Data Docs show every suite, and turns failed expectations into findings.
GX takes seconds to import, so it is imported only when a suite runs.
"""

from __future__ import annotations

import importlib
import json
import logging
import shutil
import threading
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import numpy as np
import pandas as pd

from assets import gx_offline
from assets.quality import ERROR, SCOPE, Check, Finding, chunk_rows, none_if_missing, scope_column
from assets.scope import Scope, chunks
from orchestration.settings import REPO_ROOT

SUITES_DIR = REPO_ROOT / "expectations"
DOCS_SITE = "local_site"
DATASOURCE = "warehouse_frames"
MAX_ROWS_PER_EXPECTATION = 50
KEPT_RESULTS = 50  # validations per suite kept for Data Docs (the dq tables keep all findings)
# GX reads a few columns as categoricals, so it takes larger parts than pandera: each part is a
# validation (0.1 s) and a Data Docs page of its own.
GX_CHUNK_FACTOR = 4
# suite -> (table it validates, asset that writes the table)
SUITES: dict[str, tuple[str, tuple[str, ...]]] = {
    "core_facts": ("core.facts", ("core", "facts")),
    "mart_esg_facts": ("mart.esg_facts", ("mart", "esg_facts")),
}


def load_suite(path: Path):
    import great_expectations as gx

    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    raw.pop("id", None)
    expectations = [{k: v for k, v in e.items() if k != "id"} for e in raw["expectations"]]
    suite = gx.ExpectationSuite(**(raw | {"expectations": expectations}))
    if len(suite.expectations) != len(expectations):  # GX only logs unknown types
        raise ValueError(f"{path}: some expectations could not be built (unknown type?)")
    return suite


# Modules GX's import loads that patch libraries Dagster's storage is using: imported before
# GX's background import starts (setup_for_execution).
SHARED_WITH_DAGSTER = ("sqlalchemy.orm", "sqlalchemy.future")


class GreatExpectationsResource(dg.ConfigurableResource):
    """Runs suites on DataFrames; results and Data Docs live under `root`."""

    root: str

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Import GX in the background when a run starts: the import takes about 3 s, and the
        steps before the first suite (reference data, raw, mapping) mostly wait on DuckDB and
        worker processes meanwhile. The suite's own import then finds the module loaded (or
        waits for the rest of it).

        SQLAlchemy's ORM is imported here first, in the step's thread: importing it registers
        hooks into SQLAlchemy's core, which Dagster's storage uses meanwhile, and a half-done
        import in the background once failed a step that way ("partially initialized module
        'sqlalchemy.orm.exc'"). With Dagster's storage loaded, it is the only part of
        SQLAlchemy GX's import adds (0.07 s)."""
        for shared in SHARED_WITH_DAGSTER:
            importlib.import_module(shared)
        threading.Thread(
            target=importlib.import_module, args=["great_expectations"], daemon=True
        ).start()

    @property
    def docs_index(self) -> Path:
        return Path(self.root) / "data_docs" / "index.html"

    def _context(self):
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
            analytics_enabled=False,
        )
        # Results on disk: Data Docs then show every suite's latest runs, not just this one.
        config.stores[config.validation_results_store_name] = {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(Path(self.root).resolve() / "results"),
            },
        }
        context = gx.get_context(mode="ephemeral", project_config=config)
        context.add_data_docs_site(
            DOCS_SITE,
            {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(self.docs_index.parent.resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        return context

    def validate(
        self, df: pd.DataFrame, suite_name: str, run_name: str, build_docs: bool = True
    ) -> list[dict]:
        """Validate one frame, rebuild Data Docs (unless told not to), and return one dict per
        expectation."""
        session = self.session(suite_name)
        results = session.validate(df, run_name)
        if build_docs:
            session.build_docs()
        return results

    def session(self, suite_name: str) -> SuiteSession:
        """A context with the suite ready, for validating many frames (chunks) at once."""
        return SuiteSession(self, suite_name)

    def build_docs(self, new_results: list | None = None, context=None) -> None:
        """Data Docs of the latest KEPT_RESULTS validations per suite. Older results and their
        pages are deleted first, so the store stays bounded. Only `new_results` are rendered
        when given (earlier pages are already on disk); the index always lists every result.
        `context`: a GX context of this resource already built (a session's)."""
        results, pages = Path(self.root) / "results", self.docs_index.parent / "validations"
        for suite_dir in results.glob("*"):
            # results/<suite>/<run name>/<UTC timestamp>/: oldest first by timestamp
            runs = sorted((p for p in suite_dir.glob("*/*") if p.is_dir()), key=lambda p: p.name)
            for old in runs[:-KEPT_RESULTS]:
                shutil.rmtree(old)
                shutil.rmtree(pages / old.relative_to(results), ignore_errors=True)
        if new_results == []:
            return  # nothing validated, nothing pruned: the docs are current
        context = context or self._context()
        kept = set(context.validation_results_store.list_keys())
        only = None if new_results is None else [k for k in new_results if k in kept]
        context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=only or None)
        gx_offline.finish(self.docs_index.parent, results)


class SuiteSession:
    """One GX context, suite and validation definition, reused for every frame validated in
    one check evaluation: building them costs a fifth of a second each time."""

    def __init__(self, resource: GreatExpectationsResource, suite_name: str):
        import great_expectations as gx

        self.resource = resource
        self.context = resource._context()
        suite = self.context.suites.add(load_suite(SUITES_DIR / f"{suite_name}.json"))
        batch = (
            self.context.data_sources.add_pandas(DATASOURCE)
            .add_dataframe_asset(name=suite_name)
            .add_batch_definition_whole_dataframe("whole_frame")
        )
        self.definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
        )
        self.before = set(self.context.validation_results_store.list_keys())

    def validate(self, df: pd.DataFrame, run_name: str) -> list[dict]:
        """One expectation dict per expectation, on a frame recast for GX's fast paths (same
        results and row indexes, tests/test_gx_validation.py): text columns as categoricals,
        so nulls, sets, regexes and uniqueness are worked out once per distinct value (2.5
        times faster), and integers as int64, the only integer type GX's range test handles
        without a Python call per value (DuckDB's INTEGER arrives as int32)."""
        import great_expectations as gx

        recast = {c: "category" for c in df.columns if df[c].dtype == object}
        recast |= {  # numpy integers only (a column with NULLs: pandas' Int32 or float64)
            c: "int64"
            for c in df.columns
            if isinstance(df[c].dtype, np.dtype) and df[c].dtype.kind in "iu"
        }
        result = self.definition.run(
            batch_parameters={"dataframe": df.astype(recast)},
            result_format={"result_format": "COMPLETE"},
            run_id=gx.RunIdentifier(run_name=run_name),
        )
        return [_as_dict(r.to_json_dict()) for r in result.results]

    def build_docs(self) -> None:
        """Data Docs with this session's validations rendered."""
        new = set(self.context.validation_results_store.list_keys()) - self.before
        self.resource.build_docs(sorted(new, key=str), self.context)


def _as_dict(d: dict) -> dict:
    config, res = d.get("expectation_config") or {}, d.get("result") or {}
    kwargs = config.get("kwargs", {})
    return {
        "expectation": config.get("type"),
        "column": kwargs.get("column") or ",".join(kwargs.get("column_list") or []) or None,
        "success": bool(d.get("success")),
        "unexpected_count": res.get("unexpected_count"),
        "unexpected_index_list": res.get("unexpected_index_list") or [],
        "observed_value": res.get("observed_value"),
        "exception": (d.get("exception_info") or {}).get("exception_message"),
    }


def _plain(row: dict) -> dict:
    """A row's values as Python's: a missing one None (a NULL reaches pandas through Arrow as
    NaN), years and lines int (an integer column holding NULLs arrives as float)."""
    out = {k: none_if_missing(v) for k, v in row.items()}
    for key in ("fiscal_year", "source_line"):
        if out.get(key) is not None:
            out[key] = int(out[key])
    return out


def _offending(row: dict, column: str | None):
    """The value an expectation objects to: a column's, or the tuple of a compound key's."""
    columns = (column or "").split(",")
    if len(columns) > 1:
        return tuple(row.get(c) for c in columns)
    return row.get(column) if column in row else None


def _where(row: dict) -> str:
    """A row's document and line, for the message (a GX finding names its row there too)."""
    if row.get("source_document") is None:
        return ""
    line = row.get("source_line")
    return f" in {row['source_document']}" + (f" line {line}" if line is not None else "")


def _findings(
    df: pd.DataFrame, table: str, results: list[dict], scope_column: str
) -> list[Finding]:
    found = []
    for r in (r for r in results if not r["success"]):
        what = f"{table}: {r['expectation']}" + (f" on {r['column']}" if r["column"] else "")
        indexes = r["unexpected_index_list"][:MAX_ROWS_PER_EXPECTATION]
        if not indexes:
            found.append(Finding(f"{what} failed (observed {r['observed_value']})", detail=r))
        for index in indexes:
            row = _plain(df.loc[index].to_dict())
            value = _offending(row, r["column"])
            found.append(
                Finding(
                    f"{what}: unexpected value {value!r}{_where(row)}",
                    issuer_id=row.get("issuer_id"),
                    fiscal_year=row.get("fiscal_year"),
                    metric_id=row.get("metric_id"),
                    source_document=row.get("source_document"),
                    source_line=row.get("source_line"),
                    column_name=r["column"],
                    failure_case=str(value),
                    detail={k: str(v) for k, v in row.items()},
                    scope_key=row.get(scope_column),
                    breakdown=row.get("breakdown"),
                )
            )
    return found


def suite_columns(suite: str) -> list[str]:
    """The columns a suite's expectations name, plus those that say where a row comes from:
    GX's cost grows with the width of the frame it is given."""
    raw = json.loads((SUITES_DIR / f"{suite}.json").read_text(encoding="utf-8"))
    named = [
        c
        for e in raw["expectations"]
        for c in [e["kwargs"].get("column"), *e["kwargs"].get("column_list", [])]
        if c
    ]
    return list(dict.fromkeys([*SCOPE, *named]))


def suite_check(suite: str, resource: GreatExpectationsResource | None = None) -> Check:
    """The asset check running one suite (build it with the resource to evaluate it)."""
    table, asset = SUITES[suite]

    def evaluate(conn: duckdb.DuckDBPyConnection, scope: Scope | None = None) -> list[Finding]:
        """The suite on the table's rows in scope, whole issuers at a time (each part is a
        validation of its own in Data Docs)."""
        if resource is None:
            raise RuntimeError("suite_check needs the GreatExpectationsResource to run")
        scope = scope or Scope(scope_column(table))
        found, session = [], resource.session(suite)
        rows = GX_CHUNK_FACTOR * chunk_rows()
        for df in chunks(conn, table, scope, rows, suite_columns(suite)):
            found += _findings(df, table, session.validate(df, run_name=suite), scope.column)
        session.build_docs()
        return found

    return Check(
        f"gx_{suite}",
        asset,
        ERROR,
        f"Great Expectations suite expectations/{suite}.json on {table}.",
        evaluate,
        scoped=True,
    )
