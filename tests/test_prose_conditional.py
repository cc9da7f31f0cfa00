"""A sentence under a condition or counter to fact gives no value, and a Scope 2 sentence that
names a method anywhere gives no Scope 2 of no method. Fixtures are our own words and numbers."""

from __future__ import annotations

import pytest

from assets.extract import prose


def _read(*lines: str) -> list[tuple[str | None, str]]:
    return [(v.metric_hint, v.value_text) for v in prose.extract(list(lines))]


@pytest.mark.parametrize(
    "lines",
    [
        ("If calculated location-based, Scope 2 would amount to 95 tonnes.",),
        ("Unless offsets are counted, Scope 1 emissions amounted to 52 tonnes.",),
        ("Om elen räknades platsbaserat skulle utsläppen i scope 2 uppgå till 1 310 ton CO2e.",),
        ("Utsläppen i scope 1 hade uppgått till 77 ton om vi inte bytt bilar.",),
        ("Om vi räknar platsbaserat, blir scope 2-utsläppen till 300 ton.",),
        # the condition opens the sentence on the line before
        ("Our reported figures are final and", "if restated, Scope 1 was 61 tonnes."),
        ("a total of 341 employees, which is more than we would expect.",),
    ],
)
def test_conditional_sentence_gives_no_value(lines):
    assert _read(*lines) == []


def test_method_named_before_scope2_gives_no_plain_scope2():
    assert _read("1 Reported under the market-based method, Scope 2 amounts to 95 tonnes.") == []
    assert _read("Enligt platsbaserad metod uppgick scope 2 till 410 ton.") == []


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (("Scope 2 emissions amounted to 95 tonnes in 2024.",), [("ghg.scope2", "95")]),
        # 'om' as 'of' is no condition
        (
            ("Utsläppen i scope 1 och 2 uppgick till 1 234 ton, en minskning om 12 procent.",),
            [("ghg.scope1_2", "1 234")],
        ),
        # a sentence ended on the line before carries no condition into this one
        (
            ("We would like to thank our staff.", "Scope 1 emissions were 40 tonnes."),
            [("ghg.scope1", "40")],
        ),
        (("Scope 1 emissions had fallen to 38 tonnes by year end.",), [("ghg.scope1", "38")]),
    ],
)
def test_plain_sentences_still_read(lines, expected):
    assert _read(*lines) == expected
