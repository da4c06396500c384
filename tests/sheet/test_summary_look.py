"""The สรุป tab looks like its picture (the gsheets half is in test_gsheets.py): title and block titles bold, block
header rows filled and wrapped, the title lines frozen, widths from the content; in the .xlsx also
the print area, A4 landscape and fit to one page wide. Rewritten with blocks that moved, the
old header formats do not stay behind. (Google Sheets has no print settings in its API.)"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from sheets_sync.sheet.layout import (
    SUMMARY_FROZEN_ROWS,
    TAB_SUMMARY,
    display_width,
    summary_look,
)
from sheets_sync.sheet.xlsx import XlsxBackend
from tests.support.configs import shipped_config
from tests.support.summary_sample import summary


@pytest.fixture(scope="module")
def config():
    return shipped_config(agencies=2)


def test_look_is_computed_from_the_summary():
    look = summary_look(summary())
    assert look.heading_rows == 2 and look.title_rows == (3, 8) and look.header_rows == ((4, 4), (9, 5))
    assert look.last_row == 12 and look.last_col == 5
    # a Thai name's width counts what takes room: vowel and tone marks above or below do not
    assert display_width("องค์การบริหารส่วนตำบลเหล่ายาว") == len("องค์การบริหารส่วนตำบลเหล่ายาว") - 4
    assert look.widths[2] == display_width('=HYPERLINK("http://evil.example","x")') + 2


def test_xlsx_summary_tab_is_formatted_frozen_and_printable(tmp_path, config):
    path = tmp_path / "book.xlsx"
    backend = XlsxBackend(path)
    backend.ensure_layout(config.catalog, config.agencies)
    backend.write_summary(summary(extra_rows=2))
    backend.write_summary(summary())  # the blocks move up two rows
    ws = load_workbook(path)[TAB_SUMMARY]
    look = summary_look(summary())
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    for r, width in look.header_rows:
        for c in range(1, width + 1):
            cell = ws.cell(row=r + 1, column=c)
            assert cell.font.b and cell.fill.fgColor.rgb.endswith("DDEBF7") and cell.alignment.wrap_text
    for r in look.title_rows:
        assert ws.cell(row=r + 1, column=1).font.b
    # the header rows of the first layout (two rows lower) are plain again: the tab is rebuilt
    assert not ws.cell(row=7, column=2).font.b and not ws.cell(row=7, column=2).fill.fgColor.rgb.endswith("DDEBF7")
    assert ws.freeze_panes == f"A{SUMMARY_FROZEN_ROWS + 1}"
    assert [round(ws.column_dimensions[get_column_letter(c)].width) for c in range(1, 6)] == list(look.widths)
    assert ws.print_area == f"'{TAB_SUMMARY}'!$A$1:$E$12"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws["D6"].value == 45.0 and ws["D6"].number_format == "0.0"  # numbers stay numbers
    assert ws["C12"].data_type == "s" and ws["C12"].quotePrefix and ws["D12"].quotePrefix  # text stays text
