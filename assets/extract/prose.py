"""Values stated in sentences ('a total of approximately 341 employees').

Each rule in ref/prose_patterns.csv names its metric and captures the value (and the unit, or
gives a default one); a new phrasing is a new line in that file. A value that opens a list
closed by 'respectively' ('rates of 30% and 27% respectively') is not read: which of the listed
figures belongs to the rule's metric is a matter of word order no pattern can be sure of.

Given the document's positioned lines, a sentence is read on across its line break within its
text column: each piece of a line between gutters is read with the piece of the next line
that starts at the same x ('a total of 1371' / 'employees, of which ...'), and a value is read
on the line where its match starts.

A sentence that is conditional or counterfactual ('If calculated location-based, Scope 2 would
be 95 tonnes', 'Om ... skulle utsläppen landa på ...') gives no value: its figure is one that
was not reported. A Scope 2 value of the rule that names no method is not read when its sentence
names a method anywhere ('Reported under the market-based method, Scope 2 amounts to ...').
"""

from __future__ import annotations

import re

from assets import reference
from assets.extract import grid, layout
from assets.extract.values import RawValue, clean

_RESPECTIVELY = re.compile(r"\brespectively\b|\bresp\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# a condition or counterfactual anywhere in a sentence ('if', 'would', 'skulle'), or one that
# opens it or a clause of it ('Had we ...', ', were the ...', 'Om vi ...', 'Hade vi ...')
_CONDITIONAL = re.compile(
    r"\b(?:if|unless|would|ifall|såvida|skulle|vore)\b"
    r"|(?:^|[,;:(]\s*)(?:had|were|should|om|hade)\b",
    re.IGNORECASE,
)
# Swedish 'hade ... om' ('utsläppen hade varit 200 ton om ...'): 'om' alone is also 'of/about'
_COUNTERFACTUAL_PAIR = (
    re.compile(r"\b(?:hade|had)\b", re.IGNORECASE),
    re.compile(r"\bom\b", re.IGNORECASE),
)
_NO_METHOD_METRIC = "ghg.scope2"  # the metric of Scope 2 figures whose method is not named


def _year(rule_pattern: re.Pattern, m: re.Match, text: str) -> tuple[bool, int | None]:
    """A rule with a (?P<year>) group reads the sentence's year: the year printed after the
    value, else the one year named earlier in the sentence ('In 2023 Scope 1 amounted to ...');
    two years before the value leave the value unread (False), since either may be its year."""
    if "year" not in rule_pattern.groupindex:
        return True, None
    if m.group("year"):
        return True, int(m.group("year"))
    starts = [e.end() for e in _SENTENCE_END.finditer(text, 0, m.start())]
    named = set(_YEAR.findall(text[starts[-1] if starts else 0 : m.start()]))
    if len(named) > 1:
        return False, None
    return True, (int(named.pop()) if named else None)


def _sentence(text: str, start: int, end: int, after: str, lead: str) -> str:
    """The sentence the match text[start:end] is in, read on into the next line (`after`) and,
    when the line does not start it, back into the line before (`lead`)."""
    starts = [e.end() for e in _SENTENCE_END.finditer(text, 0, start)]
    head = text[starts[-1] if starts else 0 : start]
    if not starts and lead and not _SENTENCE_END.search(lead + " "):
        head = lead + " " + head
    elif not starts and lead:
        tail = [e.end() for e in _SENTENCE_END.finditer(lead + " ")]
        head = (lead + " ")[tail[-1] :] + head
    rest = text[start:] + " " + after
    stop = _SENTENCE_END.search(rest, end - start)
    return (head + rest[: stop.start() if stop else len(rest)]).strip()


def _conditional(sentence: str) -> bool:
    """The sentence states a figure under a condition or counter to fact ('If ..., Scope 2
    would be ...', 'Hade vi ... hade utsläppen varit ... om ...')."""
    if _CONDITIONAL.search(sentence):
        return True
    return all(p.search(sentence) for p in _COUNTERFACTUAL_PAIR)


def _in_respective_list(text: str, end: int, next_line: str) -> bool:
    """The rest of the value's sentence (read on into the next line) says 'respectively'."""
    rest = text[end:] + " " + next_line
    stop = _SENTENCE_END.search(rest)
    return bool(_RESPECTIVELY.search(rest[: stop.start() if stop else len(rest)]))


def _pieces(lines: list[str], doc: layout.Document | None) -> list[list[tuple[str, str, str]]]:
    """Per line: (piece, its continuation on the next line, the continuation's own) texts.
    Without positions a line is one piece and its continuation is empty, but the next line
    is still read for 'respectively'."""
    if doc is None:
        return [
            [(clean(line), "", clean(lines[n]) if n < len(lines) else "")]
            for n, line in enumerate(lines, start=1)
        ]
    cw = layout.char_width(doc)
    by_number = {ln.number: ln for ln in doc.lines}
    cut = {n: layout.column_pieces(ln, cw) for n, ln in by_number.items()}

    def below(number: int, piece: list[layout.Token]) -> list[layout.Token] | None:
        line, nxt = by_number.get(number), by_number.get(number + 1)
        if line is None or nxt is None or nxt.page != line.page:
            return None
        x0 = piece[0].x0
        return next((p for p in cut[number + 1] if abs(p[0].x0 - x0) < 2 * cw), None)

    def text(piece: list[layout.Token] | None) -> str:
        return clean(" ".join(t.text for t in piece)) if piece else ""

    out = []
    for n, _line in enumerate(lines, start=1):
        row = []
        nxt = clean(lines[n]) if n < len(lines) else ""
        for piece in cut.get(n, []):
            cont = below(n, piece)
            if cont is None:  # no continuation in the column: 'respectively' on the next line
                row.append((text(piece), "", nxt))
            else:
                row.append((text(piece), text(cont), text(below(n + 1, cont))))
        out.append(row)
    return out


def extract(lines: list[str], doc: layout.Document | None = None) -> list[RawValue]:
    values = []
    previous: list[tuple[str, str, str]] = []
    for number, (line, pieces) in enumerate(zip(lines, _pieces(lines, doc), strict=True), 1):
        before = clean(lines[number - 2]) if doc is None and number > 1 else ""
        for own, cont, after in pieces:
            text = f"{own} {cont}" if cont else own
            lead = before or next((p for p, c, _ in previous if c and c == own), "")
            for rule in reference.prose_rules():
                for m in rule.pattern.finditer(text):
                    if m.start() >= len(own):
                        continue  # starts on the next line: read there
                    if _in_respective_list(text, m.end(), after):
                        continue
                    sentence = _sentence(text, m.start(), m.end(), after, lead)
                    if _conditional(sentence):
                        continue  # a figure under a condition was not reported
                    if rule.metric_id == _NO_METHOD_METRIC and grid.methods_named(sentence):
                        continue
                    readable, year = _year(rule.pattern, m, text)
                    if not readable:
                        continue
                    unit = m.groupdict().get("unit") or rule.default_unit
                    values.append(
                        RawValue(
                            line_number=number,
                            extractor="prose",
                            label=m.group(0),
                            unit=unit,
                            year=year,
                            value_text=m.group("value"),
                            raw_text=line,
                            metric_hint=rule.metric_id,
                        )
                    )
        previous = pieces
    return values
