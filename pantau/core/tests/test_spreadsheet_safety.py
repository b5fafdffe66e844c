"""The one rule for text a spreadsheet would take for a formula, used by every CSV and XLSX
Pantau writes: neutralised with an apostrophe, read back exactly; numbers never touched."""

import csv
import io

import pytest

from pantau.core.spreadsheet_safety import csv_cell, is_formula_like, neutralise, unneutralise

TEXTS = [
    "=cmd|' /C calc'!A0",
    "+60",
    "-3 cases",
    "@SUM(A1)",
    "\tindented",
    "\rreturn",
    "'=quoted already",
    "''",
    "'",
    "'plain",
    "plain",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_neutralised_text_is_never_a_formula_and_reads_back(text):
    safe = neutralise(text)
    assert not is_formula_like(safe)
    assert unneutralise(safe) == text


def test_only_text_is_neutralised_numbers_stay_numbers():
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(
        [csv_cell(v) for v in [-5, -0.25, 12, None, "-5", "=1+1", "ok"]]
    )
    assert buffer.getvalue() == "-5,-0.25,12,,'-5,'=1+1,ok\n"
