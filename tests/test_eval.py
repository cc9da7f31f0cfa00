"""`make eval`: a user's own gold values scored against the mart a real run publishes."""

from __future__ import annotations

import json
import shutil

import pytest

from orchestration import eval as scoring
from orchestration.settings import REPO_ROOT, SAMPLE_LANDING_DIR

HEADER = ",".join(scoring.GOLD_COLUMNS)


def _gold(file: str, report_year: int, year: int, metric: str, value: str) -> scoring.Gold:
    return scoring.Gold(file, "ACME", report_year, year, metric, float(value), value, "", "", "")


def test_tolerance_is_the_printed_rounding_or_one_percent():
    assert _gold("a.txt", 2024, 2024, "ghg.scope1", "25.227").tolerance == pytest.approx(0.25227)
    assert _gold("a.txt", 2024, 2024, "ghg.scope1", "0.42").tolerance == pytest.approx(0.005)
    assert _gold("a.txt", 2024, 2024, "ghg.scope1", "3").tolerance == 0.5


def test_a_restated_year_expects_the_later_reports_value():
    old = _gold("acme-2022.pdf", 2022, 2021, "ghg.scope2", "100")
    new = _gold("acme-2023.pdf", 2023, 2021, "ghg.scope2", "120")
    other = _gold("acme-2022.pdf", 2022, 2022, "ghg.scope2", "130")
    landed = {"acme-2022.pdf", "acme-2023.pdf"}
    assert scoring.expected([new, old, other], landed) == [other, new]
    assert scoring.expected([new, old], {"acme-2022.pdf"}) == [old]  # only the older landed


def test_a_gold_file_without_its_columns_is_named(tmp_path):
    (tmp_path / "gold.csv").write_text("file,value\nx.txt,1\n")
    with pytest.raises(scoring.GoldError, match=r"gold.csv: missing columns"):
        scoring.read_gold(tmp_path)
    (tmp_path / "gold.csv").write_text(HEADER + "\nx.txt,A,a,2024,,,20x4,m,1,t,,\n")
    with pytest.raises(scoring.GoldError, match=r"gold\.csv line 2"):
        scoring.read_gold(tmp_path)


def test_eval_scores_the_bundled_sample_against_gold_of_our_own(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_LANDING_DIR, corpus / "landing")
    rows = [
        # matched: the sample prints 144,825 m³ of water
        "remt-2024-esg-report.csv,REMT,r,2024,2024-01-01,2024-12-31,2024,water.consumption,"
        "144825,m3,3,144825 m3",
        # matched within 1 %: 29,843,800 kWh is 29,843.8 MWh
        "remt-2024-esg-report.csv,REMT,r,2024,2024-01-01,2024-12-31,2024,energy.electricity,"
        "29900,MWh,3,29843800 kWh",
        # wrong: the sample publishes 341 employees
        "remt-2024-esg-report.csv,REMT,r,2024,2024-01-01,2024-12-31,2024,workforce.employees,"
        "300,persons,9,300",
        # missing: no Scope 1 in the sample
        "northern-rare-earth-2024-esg-report.csv,NRE,n,2024,2024-01-01,2024-12-31,2024,"
        "ghg.scope1,12,tCO2e,5,12 t",
        # not landed: not judged
        "elsewhere-2024.pdf,ELSE,e,2024,2024-01-01,2024-12-31,2024,ghg.scope1,5,tCO2e,1,5",
    ]
    (corpus / "gold_own.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    assert scoring.main(["--corpus", str(corpus), "--keep", str(tmp_path / "work")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert (result["gold"], result["matched"], result["wrong"], result["missing"]) == (4, 2, 1, 1)
    assert result["by_metric"]["workforce.employees"]["wrong"] == 1
    assert result["by_format"]["csv"]["gold"] == 4
    wrong = [line for line in out if line.startswith("WRONG:")]
    assert len(wrong) == 1 and "expected 300 published 341" in wrong[0]
    assert any(line.startswith("MISSING:") and "ghg.scope1" in line for line in out)


def test_eval_names_a_corpus_without_gold(tmp_path, capsys):
    (tmp_path / "landing").mkdir()
    assert scoring.main(["--corpus", str(tmp_path)]) == 1
    assert "no gold*.csv" in capsys.readouterr().err


CORPUS = REPO_ROOT.parent / "shared" / "corpus"


@pytest.mark.skipif(not (CORPUS / "landing").is_dir(), reason="../shared/corpus is absent")
def test_the_corpus_gold_files_read():
    gold = scoring.read_gold(CORPUS)
    assert len(gold) > 200 and all(g.file for g in gold)
    landed = {p.name for p in (CORPUS / "landing").iterdir()}
    assert {g.file for g in gold} <= landed
