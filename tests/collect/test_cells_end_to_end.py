"""Cell shapes read wrongly before, end to end against the loopback farm: the sync reads the cell,
checks its readings with the real checker and keeps the one that opens. Loopback only."""

from __future__ import annotations

from urllib.parse import quote

from sheets_sync.core.models import Status
from tests.support.farm import UPLOADS
from tests.support.one_agency import HOST, farm, setup, sync_cells  # noqa: F401 (fixtures)

FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}  # ASCII as a Thai or CJK input method in full-width mode types it


def test_cells_as_copied_from_line_word_and_pdfs(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    verdicts = sync_cells(config, harness, {
        "O1": f"{url}docs/\nO1.pdf",  # a PDF's line wrap copied: was the folder, a 404
        "O2": f"\u200e{url}oit/O2\u200f",  # bidi marks from LINE: were in the path, a 404
        "O3": f"ดูได้ที่（{url}oit/O3）",  # full-width brackets: the closing one was in the path
        "O4": f"{url}oit/O4\nประกาศ.pdf",  # a note naming a file under the link: the page opens
    })
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == {
        k: (Status.OK, ()) for k in ("O1", "O2", "O3", "O4")}


def test_two_links_glued_by_thai_are_both_checked(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # "และ" ("and") between two items' links: the second, a 404, was never checked and the cell was ok
    verdicts = sync_cells(config, harness, {"O5": f"{url}oit/O5และ{url}gone"})
    assert (verdicts["O5"].status, verdicts["O5"].reasons) == (Status.BROKEN, ("http_4xx",))


def test_a_link_glued_after_one_without_a_scheme_is_read_apart(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # the link typed without a scheme, then its address pasted right after it: one URL, "…/O6http://…", a 404
    verdicts = sync_cells(config, harness, {"O6": f"{url.removeprefix('http://')}oit/O6{url}oit/O6"})
    assert (verdicts["O6"].status, verdicts["O6"].reasons) == (Status.OK, ())


def test_an_item_number_typed_right_before_a_link_is_a_label(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # "O3" then the link pasted with no space: read as a scheme "O3http", bad_scheme, a working link called
    # invalid; after a Thai item number the label took "http:" and the link warned missing_scheme
    verdicts = sync_cells(config, harness, {"O3": f"O3{url}oit/O3", "O4": f"ข้อ4{url}oit/O4"})
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == {k: (Status.OK, ()) for k in ("O3", "O4")}


def test_a_cell_of_links_over_2000_characters_is_checked_link_by_link(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # the Thai uploads as the address bar copies them, and item pages shared from LINE: each link under
    # 300 characters, the cell over 2000; it was too_long as a whole, every working link called invalid
    def cell(uploads, items):
        links = [f"{url}uploads/{quote(name)}" for name in uploads]
        links += [f"{url}oit/O{n}?openExternalBrowser=1&fbclid=IwAR{'0AbCdEfGhIjKlMnOpQrStUvWxYz' * 7}" for n in items]
        assert len("\n".join(links)) > 2000 and max(map(len, links)) < 300
        return "\n".join(links)

    verdicts = sync_cells(config, harness, {"O7": cell(UPLOADS[:1], range(1, 10)),
                                            "O8": cell(UPLOADS[1:2], range(11, 20)) + f"\n{url}gone"})
    assert (verdicts["O7"].status, verdicts["O7"].reasons) == (Status.OK, ())
    assert (verdicts["O8"].status, verdicts["O8"].reasons) == (Status.BROKEN, ("http_4xx",))  # judged link by link


def test_a_link_pasted_after_a_typed_scheme_is_the_link_meant(setup, farm):
    config, harness = setup
    url = farm.url(HOST)  # http://…
    # "https://" typed, then the link pasted after it: it was malformed, a working link called invalid;
    # the warning says to copy it again (as typed, a browser looks for a site named "http")
    verdicts = sync_cells(config, harness, {"O9": f"https://{url}oit/O9"})
    assert (verdicts["O9"].status, verdicts["O9"].reasons) == (Status.WARNING, ("scheme_slashes",))


def test_a_scheme_typed_in_full_width_letters_is_read(setup, farm):
    config, harness = setup
    url = farm.url(HOST).removeprefix("http")
    # "ｈｔｔｐ" typed with a Thai or CJK input method was a label before a host without a scheme
    # (missing_scheme; "ｈｔｔｐｓ" was checked as http://, test_collector has it): now the scheme typed,
    # with the note to copy the link again (as typed a browser takes it for no scheme)
    # ... and the link after it in full width too (the input method left so): it was malformed, now the
    # link in ASCII with the same note
    wide = f"{url}oit/O11".translate(FULL_WIDTH)  # "：／／tapladuk．go．th：…"
    verdicts = sync_cells(config, harness, {"O10": f"ｈｔｔｐ{url}oit/O10", "O11": f"ｈｔｔｐ{wide}"})
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == {
        k: (Status.WARNING, ("scheme_slashes",)) for k in ("O10", "O11")}


def test_a_dash_or_dots_before_a_thai_label_leave_the_link(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # the dash or dots went into the path, the link alone was never checked: a false broken (a 404)
    verdicts = sync_cells(config, harness, {"O12": f"{url}oit/O12–ข้อมูลปี 2566", "O13": f"{url}docs/O13.pdf—ข้อมูลปี 2566",
                                            "O14": f"{url}oit/O14...ดูเพิ่มเติม", "O15": f"{url}oit/O15…ดูเพิ่มเติม"})
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == {
        k: (Status.OK, ()) for k in ("O12", "O13", "O14", "O15")}


def test_a_spaced_file_name_wrapped_at_a_space_is_joined_by_it(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # a PDF's or Word's line wrap at a space of the file name: the second line was dropped and the
    # folder's page (a 404) judged for the file
    verdicts = sync_cells(config, harness, {"O16": f"{url}uploads/{UPLOADS[0].replace(' ', chr(10), 1)}",
                                            "O17": f"{url}uploads/{UPLOADS[1].replace(' ', chr(10), 1)}"})
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == {k: (Status.OK, ()) for k in ("O16", "O17")}


def test_a_spaced_file_name_wrapped_after_a_space_or_before_a_label_is_joined(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    head, _, year = UPLOADS[0].rpartition(" ")  # "รายงานผลการดำเนินงาน ประจำปี", "2566.pdf"
    first, _, rest = UPLOADS[1].partition(" ")
    verdicts = sync_cells(config, harness, {
        # wrapped at the name's second space: the second line was dropped, the first checked (two 404s)
        "O18": f"{url}uploads/{head}\n{year}",
        # a label after a name wrapped at its space: the name was cut to its first line (a 404)
        "O19": f"{url}uploads/{first}\n{rest} (ข้อมูลปี 2566)",
        # a page, a label and a note naming a file: the page alone is still a reading, and it opens
        "O20": f"{url}oit/O20 ข้อมูล\nไฟล์.pdf",
    })
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == {k: (Status.OK, ()) for k in ("O18", "O19", "O20")}


def test_an_emoji_after_a_link_is_no_part_of_it(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # typed after the link in LINE or Facebook: it went into the path, a 404
    verdicts = sync_cells(config, harness, {"O21": f"{url}oit/O21🙏", "O22": f"{url}docs/O22.pdf✅ส่งแล้วค่ะ"})
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == {k: (Status.OK, ()) for k in ("O21", "O22")}


def test_a_closing_bracket_or_quote_before_thai_ends_the_link(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # Thai written without a space after the bracket or quote around the link: they went into the path, a 404
    verdicts = sync_cells(config, harness, {"O23": f"ดูได้ที่ ({url}oit/O23)ข้อมูลปี 2566", "O24": f"“{url}docs/O24.pdf”ค่ะ"})
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == {k: (Status.OK, ()) for k in ("O23", "O24")}


def test_a_link_and_its_address_in_outlooks_plain_text_are_read_apart(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # a link's text with "<address>" glued (an e-mail's plain text): read as one URL, "…/O25%3Chttp://…", a 404
    # ... also when the text had no scheme: its missing_scheme was kept, though the link in "<…>" has one;
    # and with single angle quotes for the brackets (a typographic "<"): one URL again, "…/O39%E2%80%B9http://…";
    # or guillemets ("<<"): "…/O40%C2%ABhttp://…"
    verdicts = sync_cells(config, harness, {"O25": f"{url}oit/O25<{url}oit/O25>",
                                            "O38": f"{url.removeprefix('http://')}oit/O38<{url}oit/O38>",
                                            "O39": f"{url}oit/O39‹{url}oit/O39›", "O40": f"{url}oit/O40«{url}oit/O40»"})
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == \
        {k: (Status.OK, ()) for k in ("O25", "O38", "O39", "O40")}


def test_a_split_sara_am_copied_from_a_pdf_is_read_composed_and_says_so(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    split = UPLOADS[0].replace("ำ", "\u0e4d\u0e32")  # ํา: a PDF's text layer, two characters that look as one
    assert split != UPLOADS[0]
    verdicts = sync_cells(config, harness, {
        "O26": f"{url}uploads/{split}",  # as typed a 404: the file's name has ำ
        "O27": f"{url}uploads/ไม่มีไฟล์นี้ ฉบับด\u0e4d\u0e32เนินการ.pdf",  # no such file either way
    })
    assert (verdicts["O26"].status, verdicts["O26"].reasons) == (Status.WARNING, ("sara_am_split",))
    assert verdicts["O26"].url_text == f"{url}uploads/{split}"  # the cell as typed: what the agency fixes
    # none opens: the link as typed is judged, with nothing said of a reading that did not help
    assert (verdicts["O27"].status, verdicts["O27"].reasons) == (Status.BROKEN, ("http_4xx",))


def test_a_path_piece_and_a_label_on_the_line_after_an_open_end_are_joined(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # a PDF's wrap after the site's "/", a label after the path piece: only a one-word line was joined,
    # so the home page was judged for the item (homepage_only)
    verdicts = sync_cells(config, harness, {"O28": f"{url}\noit/O28 ข้อมูลโครงสร้าง"})
    assert (verdicts["O28"].status, verdicts["O28"].reasons) == (Status.OK, ())


def test_a_line_break_copied_as_a_space_after_a_slash_is_joined(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # a PDF's wrap after a "/" copied as a space: checked as "…/%20O29.pdf", a 404. Joined it opens, and
    # says so: as typed the link the assessor would be given is that 404
    verdicts = sync_cells(config, harness, {"O29": f"{url}docs/ O29.pdf",
                                            "O30": f"{url}uploads/ {UPLOADS[0]} (ข้อมูลปี 2566)"})
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == \
        {k: (Status.WARNING, ("space_in_path",)) for k in ("O29", "O30")}


def test_a_link_typed_in_full_width_after_an_ascii_scheme_is_read(setup, farm):
    config, harness = setup
    rest = farm.url(HOST).removeprefix("http://")
    # the scheme typed (or autocompleted) before the input method went full width: it was malformed, a
    # working link called invalid; as typed no browser opens it either, hence the note to copy it again
    wide = f"{rest}oit/O31".translate(FULL_WIDTH)
    # ... or switched after the host: a full-width "/" ends no host to a browser, so this was malformed too
    host, _, path = rest.partition("/")
    late = f"/{path}oit/O37".translate(FULL_WIDTH)
    verdicts = sync_cells(config, harness, {"O31": f"http://{wide}", "O37": f"http://{host}{late}"})
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == \
        {k: (Status.WARNING, ("scheme_slashes",)) for k in ("O31", "O37")}


def test_a_link_without_a_scheme_typed_in_full_width_is_read(setup, farm):
    config, harness = setup
    host = farm.url(HOST).removeprefix("http://").removesuffix("/")  # "tapladuk.go.th:PORT"
    # the input method switched after the host: a full-width "/" ends no host, and the cell was malformed, a
    # working link called invalid; now read, with both notes (a scheme to add, and as typed it opens nowhere)
    # ... or in full-width mode from the start, the host typed so too: malformed as well
    verdicts = sync_cells(config, harness, {"O42": host + "/oit/O42".translate(FULL_WIDTH),
                                            "O35": f"{host}/oit/O35".translate(FULL_WIDTH)})
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == \
        {k: (Status.WARNING, ("missing_scheme", "scheme_slashes")) for k in ("O42", "O35")}


def test_punctuation_typed_in_full_width_after_a_link_is_punctuation(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # a full stop or "!" typed after a pasted link, the input method in full-width mode: it went into the
    # path, "…/O43%EF%BC%8E", a 404 and a working link called broken
    verdicts = sync_cells(config, harness, {"O43": f"ดูที่ {url}oit/O43．", "O36": f"{url}docs/O36.pdf！"})
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == {k: (Status.OK, ()) for k in ("O43", "O36")}


def test_a_link_in_full_width_glued_to_an_ascii_one_is_a_link_of_its_own(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # pasted right after an ASCII link with the input method in full-width mode: it was that link's path,
    # "…/O41%EF%BD%88…", a 404 and a working link called broken; now both are checked, the second with the note
    glued = f"{url}docs/O41.pdf".translate(FULL_WIDTH)  # "ｈｔｔｐ：／／ｔａｐｌａｄｕｋ．…"
    verdicts = sync_cells(config, harness, {"O41": f"{url}oit/O41{glued}"})
    assert (verdicts["O41"].status, verdicts["O41"].reasons) == (Status.WARNING, ("scheme_slashes",))


def test_googles_breadcrumb_of_an_address_is_read_as_its_path(setup, farm):
    config, harness = setup
    site = farm.url(HOST).removesuffix("/")
    # "site › oit › O32" copied from Google's results: the home page was judged (homepage_only); the path
    # opens, with the note to copy the address from the address bar, not Google's results (ITAS gets the cell as typed)
    verdicts = sync_cells(config, harness, {"O32": f"{site} › oit › O32",
                                            # a path Google showed in part: the site alone is judged, as before
                                            "O33": f"{site} › oit › ..."})
    assert (verdicts["O32"].status, verdicts["O32"].reasons) == (Status.WARNING, ("breadcrumb_link",))
    assert (verdicts["O33"].status, verdicts["O33"].reasons) == (Status.WARNING, ("breadcrumb_link", "homepage_only"))
    # its own note, which says where to copy the address from (truncated_link's spoke of a "…" it did not show)
    assert "Google" in verdicts["O32"].note_th and "…" not in verdicts["O32"].note_th


def test_an_html_link_pasted_as_its_source_is_read_by_its_href(setup, farm):
    config, harness = setup
    url = farm.url(HOST)
    # the quote and tags went into the path ('…/O34">http://…/O34</a'), a 404
    verdicts = sync_cells(config, harness, {
        "O34": f'<a href="{url}oit/O34">{url}oit/O34</a>',
        "O35": f'<a href="{url}gone">{url}oit/O35</a>',  # the link's href broken, the address it shows opens
        "O36": f"<a href='{url}uploads/{UPLOADS[0]}' target='_blank'>ดาวน์โหลด</a>",
    })
    # each opens, and says the cell should hold the URL alone: the assessor would be given the HTML
    assert {k: (v.status, v.reasons) for k, v in verdicts.items()} == \
        {k: (Status.WARNING, ("html_link",)) for k in ("O34", "O35", "O36")}
