"""Cells that stay text: spreadsheet formula injection ("CSV injection") kept out of every file we write.

A cell whose text begins with `=`, `+`, `-`, `@` (or their full-width forms), a tab or a carriage return
is taken for a formula by Excel, LibreOffice or Google Sheets when the file is opened, even in a CSV
file. Agency names and URLs come from people, so every file the tool writes (exports, reports) passes
its text cells through here:

* CSV: the cell gets a leading apostrophe, as OWASP advises ("CSV Injection"); the csv module quotes
  the cell when it holds a delimiter or a quote. The apostrophe shows, which is the price of safety in
  a format without cell types.
* xlsx: the cell is a string cell (never a formula) with quotePrefix set, so Excel shows the text as
  typed and does not re-read it as a formula when someone edits the cell.

Duck-typed on openpyxl's cell (value, data_type, quotePrefix): core imports no spreadsheet library.
"""

from __future__ import annotations

# The full-width signs too: Excel with an East Asian input method, and LibreOffice with some
# settings, read '＝1+1' as '=1+1', and a Thai cell rarely begins with one (no Thai keyboard types
# them), so the guard costs a reader nothing: invisible in .xlsx, an apostrophe in CSV.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet would read `text` as a formula.

    >>> [looks_like_formula(t) for t in ("=1+1", "-5", "@SUM(A1)", "\\tx", "https://x", "", "ก=1")]
    [True, True, True, True, False, False, False]
    """
    return text[:1] in FORMULA_STARTS if text else False


def csv_text(value: object) -> str:
    """The CSV field for `value`: text, with a leading apostrophe when it would start a formula.

    >>> csv_text("=HYPERLINK(\\"http://evil\\")"), csv_text("https://a.go.th"), csv_text(None), csv_text(12)
    ('\\'=HYPERLINK("http://evil")', 'https://a.go.th', '', '12')
    """
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text


def as_text_cell(cell, value: object) -> None:
    """Puts `value` into an openpyxl cell as a string cell, never a formula (quotePrefix when the text
    would start one). None leaves the cell empty."""
    if value is None:
        cell.value = None
        return
    text = str(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl makes any text starting with "=" a formula; this undoes that
    if looks_like_formula(text):
        cell.quotePrefix = True


def csv_rows(rows) -> list[list[str]]:
    """Every cell of `rows` (a sequence of sequences) through csv_text: a whole CSV table made safe."""
    return [[csv_text(v) for v in row] for row in rows]


def xlsx_value(cell, value: object) -> None:
    """Like as_text_cell, but a number the program computed (int, float) stays a number, so the
    reports' counts and percentages can be summed and charted. '' leaves the cell empty."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
        return
    as_text_cell(cell, None if value == "" else value)
