"""Superscript footnote digits fused to a word in a PDF's text layer (own fixture)."""

from __future__ import annotations

from assets.extract import numbers, pdf
from tests import pdf_fixtures as fx


def _page() -> fx.Page:
    # '4,250' with note 7 printed smaller and raised right after it (no space): PDFium gives
    # one word '4,2507'; a unit with a raised exponent; a plain value for comparison.
    return fx.Page([
        fx.Text(50, 100, "Steam used"), fx.Text(300, 100, "4,250"),
        fx.Text(324.0, 95.5, "7", size=6),
        fx.Text(50, 130, "Water (m"), fx.Text(88.9, 125.5, "3", size=6), fx.Text(92, 130, ")"),
        fx.Text(50, 160, "Fuel used"), fx.Text(300, 160, "3,120"),
    ])  # fmt: skip


def _words() -> list[str]:
    doc = pdf.parse(fx.pdf_bytes([_page()]), "sup.pdf", 10).document()
    return [t.text for line in doc.lines for t in line.tokens]


def test_a_raised_digit_fused_to_a_value_is_a_superscript_mark_not_a_digit():
    words = _words()
    assert "4,250⁷" in words and "4,2507" not in words
    value = numbers.parse("4,250⁷", numbers.Convention.of(words))
    assert value is not None and value.number == 4250
    # no decimal comma is seen in the page any more: '3,120' groups thousands
    assert numbers.Convention.of(words) == numbers.Convention(False, False)
    assert numbers.parse("3,120", numbers.Convention.of(words)).number == 3120


def test_a_value_at_the_line_height_is_kept_as_printed():
    assert "3,120" in _words()
