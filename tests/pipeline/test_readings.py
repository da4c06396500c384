"""Cells that can be read two ways, end to end: the farm serves a PDF whose Thai file name has
spaces, agencies paste it decoded, the sync checks both readings and keeps the one that opens."""

from __future__ import annotations

import pytest

from sheets_sync.core.models import RowKey, Status
from sheets_sync.pipeline import sync as pipeline
from tests.support.one_agency import HOST, config_for, farm, setup, sync_cells, sync_once  # noqa: F401 (fixtures)


def test_thai_file_name_with_spaces_is_ok_and_labels_stay_labels(setup, farm):
    config, harness = setup
    farm.reset_counts()
    url = farm.url(HOST)
    verdicts = sync_cells(config, harness, {
        "O1": f"{url}uploads/รายงานผลการดำเนินงาน ประจำปี 2566.pdf",  # as copied from the address bar
        "O2": f"{url}uploads/แผนปฏิบัติการ (ฉบับปรับปรุง) 2566.pdf",
        "O3": f"{url}uploads/o19.pdf (ข้อมูลปี 2566)",  # a file and a label
        "O4": f"{url}oit/O4 ข้อ 4/2566",  # read as one URL first (a "/"), which is a 404: the label reading opens
    })
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == {
        "O1": (Status.OK, ()), "O2": (Status.OK, ()), "O3": (Status.OK, ()), "O4": (Status.OK, ())}
    # O1..O3 opened at the first reading: nothing else requested for them
    assert farm.count(HOST, "/uploads/o19.pdf") == 1
    pages = [p for (_, p) in farm.counts if not p.startswith("/sheets-sync-probe-")]  # the soft-404 probe aside
    assert len(pages) == 5 and sum(farm.counts.values()) == 6  # O1, O2, O3 and both readings of O4


def test_when_no_reading_opens_the_first_one_is_judged(setup, farm):
    config, harness = setup
    farm.reset_counts()
    url = farm.url(HOST)
    verdicts = sync_cells(config, harness, {"O5": f"{url}uploads/ไม่มีไฟล์ ปี 2566.pdf",
                                            "O6": f"{url}gone (ข้อมูลปี 2566)"})
    o5, o6 = verdicts["O5"], verdicts["O6"]
    assert (o5.status, o5.reasons) == (Status.BROKEN, ("http_4xx",))
    assert (o6.status, o6.reasons) == (Status.BROKEN, ("http_4xx",))
    missing = "/uploads/%E0%B9%84%E0%B8%A1%E0%B9%88%E0%B8%A1%E0%B8%B5%E0%B9%84%E0%B8%9F%E0%B8%A5%E0%B9%8C"  # ไม่มีไฟล์
    label = "%20(%E0%B8%82%E0%B9%89%E0%B8%AD%E0%B8%A1%E0%B8%B9%E0%B8%A5%E0%B8%9B%E0%B8%B5%202566)"  # " (ข้อมูลปี 2566)"
    assert dict(farm.counts) == {  # each reading once; a spaced file name has only the one
        (HOST, missing + "%20%E0%B8%9B%E0%B8%B5%202566.pdf"): 1, (HOST, "/gone"): 1, (HOST, "/gone" + label): 1}


def test_edge_paths_of_the_farm_through_the_sync(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    verdicts = sync_cells(config, harness, {"O7": f"{url}corrupt.pdf", "O8": f"{url}to-file",
                                            "O9": "http://localhost/oit/O9", "O10": "\u2800 \u3164"})
    # O7 has no year rule: the file that does not open is the news, not a look at its year
    assert (verdicts["O7"].status, verdicts["O7"].reasons) == (Status.WARNING, ("pdf_unreadable",))
    assert (verdicts["O8"].status, verdicts["O8"].reasons) == (Status.BROKEN, ("redirect_not_http",))
    assert verdicts["O9"].status is Status.BLOCKED and "private_address" in verdicts["O9"].reasons
    assert verdicts["O10"].status is Status.EMPTY
    assert "file:" in verdicts["O8"].note_th
    assert RowKey("tpd", "O10") == verdicts["O10"].key


def test_a_link_missing_a_slash_after_its_scheme_is_checked_as_a_browser_opens_it(setup, farm):
    config, harness = setup
    farm.reset_counts()
    url = farm.url(HOST)
    verdicts = sync_cells(config, harness, {"O11": f"{url}uploads/o19.pdf".replace("://", ":/", 1),
                                            "O12": f"{url}gone".replace("://", ":", 1)})
    o11, o12 = verdicts["O11"], verdicts["O12"]
    # The file opens: a warning that asks for the two slashes, never "invalid" or "broken".
    assert (o11.status, o11.reasons) == (Status.WARNING, ("scheme_slashes",))
    assert "//" in o11.note_th and farm.count(HOST, "/uploads/o19.pdf") == 1
    # Checked like any link: a missing page is still broken, with both notes.
    assert (o12.status, o12.reasons) == (Status.BROKEN, ("scheme_slashes", "http_4xx"))


@pytest.mark.parametrize("kind", ["xlsx", "gsheets"])
def test_a_cell_showing_one_address_and_linking_to_another_is_read_both_ways(farm, tmp_path, kind):
    """Excel keeps a typed-over cell's old link, and "Edit Hyperlink" changes the link and keeps the
    text: the cell shows one address and opens another. The shown one was the only one checked
    (a false "broken" when only its link was fixed); the link is its other reading now, and says
    so when it is the one that opens (the assessor is given the address shown)."""
    from tests.support.sheets import HARNESSES

    config = config_for(farm, tmp_path)
    harness = HARNESSES[kind](tmp_path)
    pipeline.init(config, harness.backend)
    url = farm.url(HOST)
    harness.link_now("tpd", "O1", f"{url}oit/O1-old", [f"{url}oit/O1"])  # the link was fixed, not the text
    harness.link_now("tpd", "O2", f"{url}oit/O2", [f"{url}oit/O2-old"])  # the text was fixed, not the link
    verdicts = sync_once(config, harness.backend, ("O1", "O2"))
    assert verdicts["O1"].status is Status.WARNING and "shown_address_broken" in verdicts["O1"].reasons
    assert verdicts["O1"].url_text == f"{url}oit/O1-old"  # the cell as shown: what the sheet compares
    assert verdicts["O2"].status is Status.OK and "shown_address_broken" not in verdicts["O2"].reasons
