"""The README's example queries answer on the default sample (the warehouse `make run` builds)."""

from __future__ import annotations

import re

import pytest

from orchestration.settings import REPO_ROOT

QUERIES = re.findall(r"```sql\n(.*?)```", (REPO_ROOT / "README.md").read_text(), re.S)


def test_the_readme_has_five_example_queries():
    assert len(QUERIES) == 5


@pytest.mark.parametrize("query", QUERIES, ids=[q.splitlines()[0][3:40] for q in QUERIES])
def test_each_readme_query_answers_on_the_bundled_sample(sample_warehouse, query):
    rows = sample_warehouse.execute(query).fetchall()
    assert rows, "the example returns nothing on the bundled sample"


def test_from_a_fact_back_to_its_line_gives_one_row_per_fact(sample_warehouse):
    (query,) = [q for q in QUERIES if "Where was this number printed" in q]
    years = [row[0] for row in sample_warehouse.execute(query).fetchall()]
    assert len(years) == len(set(years)) > 1
