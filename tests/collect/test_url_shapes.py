"""URLs as Thai agencies paste them: the URL list each cell gives, and the other reading of each.

Every row is a shape seen in Thai government sheets: Thai file names with spaces and brackets copied
decoded from the address bar or a file list, CMS links (index.php?_mod=...), Google Drive and Docs
links, fragments, trailing punctuation, labels, several links in one cell. The expected URLs are
written readable; `th` percent-encodes their Thai and spaces (UTF-8, as a browser sends them). A spaced
file name has no other reading (a label does not end in ".pdf"); a URL followed by words does.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from sheets_sync.collect.cells import parse_cell

_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))


def th(url: str) -> str:
    """Percent-encodes what is not printable ASCII (Thai, spaces); leaves everything else alone."""
    return quote(url, safe=_ASCII)


X = "https://www.tapladuk.go.th"
LP = "https://www.lamphun.go.th"
LAMPHUN_TH = "xn--q3cju6cub7h"  # ลำพูน

# (id, cell text, [(url, [alternative urls]), ...])
SHAPES = [
    # a Thai file name with spaces is one URL, and nothing else
    ("pdf with spaces", f"{X}/uploads/รายงานผลการดำเนินงาน ประจำปี 2565.pdf",
     [(th(f"{X}/uploads/รายงานผลการดำเนินงาน ประจำปี 2565.pdf"), [])]),
    ("pdf with brackets and spaces", f"{LP}/wp-content/uploads/2023/01/แผนปฏิบัติการ (ฉบับปรับปรุง) 2566.pdf",
     [(th(f"{LP}/wp-content/uploads/2023/01/แผนปฏิบัติการ (ฉบับปรับปรุง) 2566.pdf"), [])]),
    ("numbered copy (1).pdf", f"{X}/files/คำสั่ง (1).pdf",
     [(th(f"{X}/files/คำสั่ง (1).pdf"), [])]),
    ("folder with a space", f"{X}/ITA 2566/O1 โครงสร้าง.pdf",
     [(th(f"{X}/ITA 2566/O1 โครงสร้าง.pdf"), [])]),
    ("two spaces kept as typed", f"{X}/uploads/คู่มือ  การปฏิบัติงาน.pdf",
     [(th(f"{X}/uploads/คู่มือ  การปฏิบัติงาน.pdf"), [])]),
    ("space before the extension", f"{X}/uploads/ประกาศ .pdf",
     [(th(f"{X}/uploads/ประกาศ .pdf"), [])]),
    ("docx in a wordpress month folder", f"{LP}/wp-content/uploads/2022/12/คู่มือ การ ร้องเรียน.docx",
     [(th(f"{LP}/wp-content/uploads/2022/12/คู่มือ การ ร้องเรียน.docx"), [])]),
    ("xlsx with spaces", f"{X}/download/แผนการจัดซื้อ จัดจ้าง 2566.xlsx",
     [(th(f"{X}/download/แผนการจัดซื้อ จัดจ้าง 2566.xlsx"), [])]),
    ("pdf with a page fragment", f"{X}/แผน ปี 66.pdf#page=2",
     [(th(f"{X}/แผน ปี 66.pdf#page=2"), [])]),
    ("thai host and thai file name with spaces", "http://ลำพูน.go.th/ประกาศ ITA 2566.pdf",
     [(th(f"http://{LAMPHUN_TH}.go.th/ประกาศ ITA 2566.pdf"), [])]),
    ("port and spaces", "http://oit.tapladuk.go.th:8080/docs/รายงาน ผล.pdf",
     [(th("http://oit.tapladuk.go.th:8080/docs/รายงาน ผล.pdf"), [])]),
    ("without scheme, with spaces", "www.tapladuk.go.th/uploads/งบ ประมาณ 2566.pdf",
     [(th("http://www.tapladuk.go.th/uploads/งบ ประมาณ 2566.pdf"), [])]),
    ("escapes kept, thai encoded once", f"{X}/dl/%E0%B8%81 ข.pdf",
     [(f"{X}/dl/%E0%B8%81%20" + th("ข.pdf"), [])]),
    ("already encoded stays as is", f"{X}/dl/%E0%B8%9B%E0%B8%A3%E0%B8%B0%E0%B8%81%E0%B8%B2%E0%B8%A8%20ITA.pdf",
     [(f"{X}/dl/%E0%B8%9B%E0%B8%A3%E0%B8%B0%E0%B8%81%E0%B8%B2%E0%B8%A8%20ITA.pdf", [])]),
    # a "/" after a space may be a folder with a space or a label's date: both readings, joined first
    ("folder with a space, no file name", f"{X}/ITA 2566/O1", [(f"{X}/ITA%202566/O1", [f"{X}/ITA"])]),
    ("label with a slash date", f"{X}/oit/o4 ข้อ 4/2566", [(th(f"{X}/oit/o4 ข้อ 4/2566"), [f"{X}/oit/o4"])]),
    ("windows backslashes", "https://www.tapladuk.go.th\\uploads\\o1.pdf", [(f"{X}/uploads/o1.pdf", [])]),
    # a label after a URL stays a label; the joined text is the other reading
    ("label in brackets after a pdf", f"{X}/uploads/o19.pdf (ข้อมูลปี 2566)",
     [(f"{X}/uploads/o19.pdf", [th(f"{X}/uploads/o19.pdf (ข้อมูลปี 2566)")])]),
    ("label with a date in brackets", f"{X}/oit/o1 (ข้อมูล ณ 1/10/2565)",
     [(f"{X}/oit/o1", [th(f"{X}/oit/o1 (ข้อมูล ณ 1/10/2565)")])]),
    ("year after a page", f"{X}/oit/o1 2566", [(f"{X}/oit/o1", [th(f"{X}/oit/o1 2566")])]),
    ("tab before a label", f"{X}/oit/o2\tข้อมูลผู้บริหาร", [(f"{X}/oit/o2", [th(f"{X}/oit/o2 ข้อมูลผู้บริหาร")])]),
    ("comma then a label", f"{X}/uploads/o1.pdf, ข้อมูลปี 2566", [(f"{X}/uploads/o1.pdf", [])]),
    ("label before, glued", f"ลิงก์:{X}/oit/o3", [(f"{X}/oit/o3", [])]),
    ("label before, spaced colon", f"ลิงก์ : {X}/oit/o3", [(f"{X}/oit/o3", [])]),
    # CMS links
    ("cms link", f"{X}/index.php?_mod=ZmFrZV9tb2Q&type=1", [(f"{X}/index.php?_mod=ZmFrZV9tb2Q&type=1", [])]),
    ("cms link with a comma list", f"{X}/index.php?_mod=ZGF0YQ&ids=1,2,3", [(f"{X}/index.php?_mod=ZGF0YQ&ids=1,2,3", [])]),
    ("cms link and a label", f"{X}/index.php?_mod=ZmFrZQ&type=1 ข้อ O1",
     [(f"{X}/index.php?_mod=ZmFrZQ&type=1", [th(f"{X}/index.php?_mod=ZmFrZQ&type=1 ข้อ O1")])]),
    ("cms query with thai", f"{X}/news.php?cat=ข่าวประชาสัมพันธ์&page=2",
     [(th(f"{X}/news.php?cat=ข่าวประชาสัมพันธ์&page=2"), [])]),
    ("query with a thai phrase with spaces", f"{X}/search.php?q=แผนพัฒนา ท้องถิ่น&y=2566",
     [(th(f"{X}/search.php?q=แผนพัฒนา ท้องถิ่น&y=2566"), [th(f"{X}/search.php?q=แผนพัฒนา")])]),
    # Google Drive and Docs
    ("drive file", "https://drive.google.com/file/d/1AbCdEfGh_IJkLmNoP-qRsTuV/view?usp=sharing",
     [("https://drive.google.com/file/d/1AbCdEfGh_IJkLmNoP-qRsTuV/view?usp=sharing", [])]),
    ("drive file and a label", "https://drive.google.com/file/d/1AbC/view?usp=sharing ไฟล์แผน",
     [("https://drive.google.com/file/d/1AbC/view?usp=sharing",
       [th("https://drive.google.com/file/d/1AbC/view?usp=sharing ไฟล์แผน")])]),
    ("drive folder", "https://drive.google.com/drive/folders/1XyZ-folder?usp=drive_link",
     [("https://drive.google.com/drive/folders/1XyZ-folder?usp=drive_link", [])]),
    ("drive open?id", "https://drive.google.com/open?id=1AbCd", [("https://drive.google.com/open?id=1AbCd", [])]),
    ("docs document", "https://docs.google.com/document/d/1xYz/edit?usp=sharing",
     [("https://docs.google.com/document/d/1xYz/edit?usp=sharing", [])]),
    ("sheets with gid fragment", "https://docs.google.com/spreadsheets/d/1xYz/edit#gid=0",
     [("https://docs.google.com/spreadsheets/d/1xYz/edit#gid=0", [])]),
    ("docs heading fragment", "https://docs.google.com/document/d/1xYz/edit#heading=h.abc12",
     [("https://docs.google.com/document/d/1xYz/edit#heading=h.abc12", [])]),
    # fragments and trailing punctuation
    ("hash route and a label", f"{X}/oit#/o1 ข้อมูล", [(f"{X}/oit#/o1", [])]),
    ("fragment with thai", f"{X}/about#ประวัติ", [(th(f"{X}/about#ประวัติ"), [])]),
    ("full stop", f"{X}/oit/o4.", [(f"{X}/oit/o4", [])]),
    ("in brackets in a sentence", f"ดูได้ที่ ({X}/oit/o5)", [(f"{X}/oit/o5", [])]),
    ("thai quotes", f"“{X}/oit/o6”", [(f"{X}/oit/o6", [])]),
    ("wikipedia brackets kept", "https://th.wikipedia.org/wiki/ลำพูน_(จังหวัด)",
     [(th("https://th.wikipedia.org/wiki/ลำพูน_(จังหวัด)"), [])]),
    # a URL broken over two lines (a PDF's or Word's wrap copied): it was cut to its folder, the rest dropped
    ("a file name on the next line", f"{X}/wp-content/uploads/2023/01/\nO1-โครงสร้าง.pdf\n(ข้อมูลปี 2566)",
     [(th(f"{X}/wp-content/uploads/2023/01/O1-โครงสร้าง.pdf"), [])]),
    # ... or copied as a space right after a "/": checked as ".../%20O1.pdf"; joined first, as a wrap after
    # an open end is, and as typed second (a name may start with a space, rarely)
    ("a pdf's line break copied as a space after a folder", f"{X}/wp-content/uploads/2023/01/ O1.pdf",
     [(f"{X}/wp-content/uploads/2023/01/O1.pdf", [f"{X}/wp-content/uploads/2023/01/%20O1.pdf"])]),
    ("a line break copied as a space before a folder", f"{X}/wp-content/uploads/ 2566/o1.pdf",
     [(f"{X}/wp-content/uploads/2566/o1.pdf", [f"{X}/wp-content/uploads/%202566/o1.pdf"])]),
    ("a line break copied as a space, then a label", f"{X}/uploads/ O1.pdf (ข้อมูลปี 2566)",
     [(f"{X}/uploads/O1.pdf", [f"{X}/uploads/%20O1.pdf"])]),
    ("a line break copied as a space in a page's path", f"{X}/ita/ 2566/o1",
     [(f"{X}/ita/2566/o1", [f"{X}/ita/%202566/o1", f"{X}/ita/"])]),
    # ... but a folder's label stays a label
    ("a folder, a space and an item code", f"{X}/oit/ o1", [(f"{X}/oit/", [f"{X}/oit/%20o1"])]),
    ("a folder, a space and a label with a date", f"{X}/oit/ ข้อ 4/2566", [(th(f"{X}/oit/ ข้อ 4/2566"), [f"{X}/oit/"])]),
    # ... a wrap may fall where the file name had a space ("รายงาน ผล.pdf"): that is a reading too
    ("a thai file name broken in two", f"{X}/uploads/รายงาน\nผล.pdf",
     [(th(f"{X}/uploads/รายงานผล.pdf"), [th(f"{X}/uploads/รายงาน ผล.pdf"), th(f"{X}/uploads/รายงาน")])]),
    ("a page and a note naming its file", f"{X}/news/123\nประกาศ.pdf",
     [(th(f"{X}/news/123ประกาศ.pdf"), [f"{X}/news/123", th(f"{X}/news/123 ประกาศ.pdf")])]),
    # ... and a spaced file name wrapped at a space: the next line was dropped, a folder's page judged for the file
    ("a spaced file name wrapped at its space", f"{X}/uploads/รายงาน\nประจำปี 2566.pdf",
     [(th(f"{X}/uploads/รายงาน ประจำปี 2566.pdf"),
       [th(f"{X}/uploads/รายงานประจำปี 2566.pdf"), th(f"{X}/uploads/รายงาน")])]),
    # ... also when the first line holds a space of the name already (the second line was dropped); the
    # first line keeps its own readings, the URL alone (a page, a label and a note naming its file) among them
    ("a spaced file name wrapped at its second space", f"{X}/uploads/รายงานผลการดำเนินงาน ประจำปี\n2566.pdf",
     [(th(f"{X}/uploads/รายงานผลการดำเนินงาน ประจำปี 2566.pdf"),
       [th(f"{X}/uploads/รายงานผลการดำเนินงาน ประจำปี2566.pdf"), th(f"{X}/uploads/รายงานผลการดำเนินงาน"),
        th(f"{X}/uploads/รายงานผลการดำเนินงาน ประจำปี")])]),
    ("a page, a label and a note naming a file", f"{X}/oit/o1 ข้อมูล\nไฟล์.pdf",
     [(th(f"{X}/oit/o1 ข้อมูล ไฟล์.pdf"), [th(f"{X}/oit/o1 ข้อมูลไฟล์.pdf"), f"{X}/oit/o1", th(f"{X}/oit/o1 ข้อมูล")])]),
    # ... and a label after the wrapped name stays a label (the name was not joined)
    ("a label after a wrapped spaced file name", f"{X}/uploads/รายงาน\nประจำปี 2566.pdf (ข้อมูลปี 2566)",
     [(th(f"{X}/uploads/รายงาน ประจำปี 2566.pdf"),
       [th(f"{X}/uploads/รายงานประจำปี 2566.pdf"), th(f"{X}/uploads/รายงาน")])]),
    ("a label after a file name broken in two", f"{X}/uploads/รายงาน\nผล.pdf (ข้อมูลปี 2566)",
     [(th(f"{X}/uploads/รายงานผล.pdf"), [th(f"{X}/uploads/รายงาน ผล.pdf"), th(f"{X}/uploads/รายงาน"),
                                          th(f"{X}/uploads/รายงานผล.pdf (ข้อมูลปี 2566)")])]),
    ("a label after a file name on the line after a folder", f"{X}/uploads/2023/01/\nO1.pdf (ข้อมูลปี 2566)",
     [(f"{X}/uploads/2023/01/O1.pdf", [th(f"{X}/uploads/2023/01/O1.pdf (ข้อมูลปี 2566)")])]),
    ("a label and a year on the next line stay apart", f"{X}/oit/o1 ข้อมูล\nปี 2566",
     [(f"{X}/oit/o1", [th(f"{X}/oit/o1 ข้อมูล")])]),
    ("a spaced file name on the line after a folder", f"{X}/uploads/2023/01/\nแผน (ฉบับปรับปรุง) 2566.pdf",
     [(th(f"{X}/uploads/2023/01/แผน (ฉบับปรับปรุง) 2566.pdf"), [])]),
    ("a label of words on the next line", f"{X}/oit/o1\nข้อมูล ปี 2566", [(f"{X}/oit/o1", [])]),
    ("a note and a link on the next line", f"{X}/oit/o1\nไฟล์ {X}/o1 ก.pdf",
     [(f"{X}/oit/o1", []), (th(f"{X}/o1 ก.pdf"), [])]),
    ("a path broken after a dash", f"{X}/ita-\n2566/o1", [(f"{X}/ita-2566/o1", [f"{X}/ita-"])]),
    # ... with a label after the piece: only a one-word line was joined, the unfinished folder checked
    ("a path broken after a dash, then a label", f"{X}/ita-\n2566/o1 ข้อมูล",
     [(f"{X}/ita-2566/o1", [f"{X}/ita-", th(f"{X}/ita-2566/o1 ข้อมูล")])]),
    ("an item code and a label on the line after a folder", f"{X}/oit/\nO1 ข้อมูลโครงสร้าง", [(f"{X}/oit/", [])]),
    ("a query broken after an &", f"{X}/index.php?option=com_content&\nview=article&id=12",
     [(f"{X}/index.php?option=com_content&view=article&id=12", [f"{X}/index.php?option=com_content&"])]),
    # ... and a link typed wholly in full width, wrapped so: the next line was left in full width, dropped (the
    # folder judged for the file) or joined as typed ("…/uploads/%EF%BD%8F…", a 404); read as the one-line link is
    ("a full-width link wrapped after a folder", "ｈｔｔｐｓ：／／ｗｗｗ．ｔａｐｌａｄｕｋ．ｇｏ．ｔｈ／ｕｐｌｏａｄｓ／\nｏ１．ｐｄｆ",
     [(f"{X}/uploads/o1.pdf", [])]),
    ("a full-width link wrapped before a file name in ascii", "ｈｔｔｐｓ：／／ｗｗｗ．ｔａｐｌａｄｕｋ．ｇｏ．ｔｈ／ｕｐｌｏａｄｓ／\r\nｏ１.pdf",
     [(f"{X}/uploads/o1.pdf", [])]),
    ("a full-width link without a scheme wrapped after a dash", "ｗｗｗ．ｔａｐｌａｄｕｋ．ｇｏ．ｔｈ／ｉｔａ－\n２５６６／ｏ１ ข้อมูล",
     [("http://www.tapladuk.go.th/ita-2566/o1",
       ["http://www.tapladuk.go.th/ita-", th("http://www.tapladuk.go.th/ita-2566/o1 ข้อมูล")])]),
    ("an item code and a label on the line after a full-width folder", "ｈｔｔｐｓ：／／ｗｗｗ．ｔａｐｌａｄｕｋ．ｇｏ．ｔｈ／ｏｉｔ／\nｏ１ ข้อมูล",
     [(f"{X}/oit/", [])]),
    # ... but a label, a list's next link, a file after a finished link or a comma stay apart
    ("a label on the next line", f"{X}/\nหน้าแรก", [(f"{X}/", [])]),
    ("a file name after a file name", f"{X}/oit/o1.pdf\no2.pdf", [(f"{X}/oit/o1.pdf", [])]),
    ("a file name after a comma", f"{X}/oit/o1,\no2.pdf", [(f"{X}/oit/o1", [])]),
    ("a file name after a host", f"{X}\no1.pdf", [(f"{X}/", [])]),
    # Google's breadcrumb of an address copied from its results ("site › ita › o1"): it was the home page
    # and a label; read joined first (the home page opens, so a reading after it would never be tried)
    ("google's breadcrumb of an address", f"{X} › ita › o1", [(f"{X}/ita/o1", [f"{X}/"])]),
    ("a breadcrumb without a scheme, then a label", "www.tapladuk.go.th › oit › o1 ข้อมูล",
     [("http://www.tapladuk.go.th/oit/o1", ["http://www.tapladuk.go.th/", th("http://www.tapladuk.go.th/oit/o1 ข้อมูล")])]),
    ("a breadcrumb google cut short", f"{X} › ita › ...", [(f"{X}/ita/", [f"{X}/"])]),
    # ... but an arrow after a page's address, or before one, stays a label's
    ("an arrow and a label after a page", f"{X}/oit/o1 › ข้อมูล", [(f"{X}/oit/o1", [th(f"{X}/oit/o1 › ข้อมูล")])]),
    ("an arrow before a link", f"ดูที่ › {X}/oit/o1", [(f"{X}/oit/o1", [])]),
    ("an arrow between two links", f"{X} › {X}/oit/o1", [(f"{X}/", []), (f"{X}/oit/o1", [])]),
    # several links in one cell
    ("two lines", f"{X}/oit/o7\n{X}/oit/o7-2", [(f"{X}/oit/o7", []), (f"{X}/oit/o7-2", [])]),
    ("two on one line", f"{X}/news/1 {X}/news/2", [(f"{X}/news/1", []), (f"{X}/news/2", [])]),
    ("two pdfs with spaces on two lines", f"{X}/a/แผน ปี 66.pdf\n{X}/a/ผล ปี 66.pdf",
     [(th(f"{X}/a/แผน ปี 66.pdf"), []), (th(f"{X}/a/ผล ปี 66.pdf"), [])]),
    ("comma separated", f"{X}/a.pdf, {X}/b.pdf", [(f"{X}/a.pdf", []), (f"{X}/b.pdf", [])]),
    ("joined by และ", f"ข้อ 1 {X}/oit/o1 และ {X}/oit/o1-2",
     [(f"{X}/oit/o1", [th(f"{X}/oit/o1 และ")]), (f"{X}/oit/o1-2", [])]),
    # Outlook's (and Word's) plain text writes a link as its text with "<address>" glued: it was one URL
    ("a link and its address glued in outlook's plain text", f"{X}/oit/o1<{X}/oit/o1>", [(f"{X}/oit/o1", [])]),
    ("a file and another address glued", f"{X}/uploads/o1.pdf<{X}/uploads/o1-2.pdf>",
     [(f"{X}/uploads/o1.pdf", []), (f"{X}/uploads/o1-2.pdf", [])]),
    ("a label and its address glued", f"ดาวน์โหลด<{X}/oit/o1>", [(f"{X}/oit/o1", [])]),
    # ... with single angle quotes for "<" and ">" (a typographic "<"): it was one URL, "…/o1%E2%80%B9https://…"
    ("a link and its address in single angle quotes", f"{X}/oit/o1‹{X}/oit/o1›", [(f"{X}/oit/o1", [])]),
    ("another address after a single angle quote", f"{X}/oit/o1-old‹{X}/oit/o1>",
     [(f"{X}/oit/o1-old", []), (f"{X}/oit/o1", [])]),
    # ... and with guillemets (French quotes, a typographic "<<"): one URL, "…/o1-old%C2%ABhttps://…"
    ("another address after a guillemet", f"{X}/oit/o1-old«{X}/oit/o1»", [(f"{X}/oit/o1-old", []), (f"{X}/oit/o1", [])]),
    ("a link and its address in guillemets", f"{X}/oit/o1«{X}/oit/o1»", [(f"{X}/oit/o1", [])]),
    ("a link in guillemets", f"ลิงก์«{X}/oit/o1»", [(f"{X}/oit/o1", [])]),
    # ... and in full width ("＜", "＞": the input method in full-width mode): one URL, "…/o1%EF%BC%9Chttps://…"
    ("another address after a full-width angle bracket", f"{X}/oit/o1-old＜{X}/oit/o1＞",
     [(f"{X}/oit/o1-old", []), (f"{X}/oit/o1", [])]),
    # a label in them glued after a link went into its path ("…/o1%C2%AB…", a 404): the link alone first, as
    # typed second; a query's "<" is the query's ("?price<100")
    ("a label in guillemets glued after a link", f"{X}/oit/o1«ข้อมูล»", [(f"{X}/oit/o1", [th(f"{X}/oit/o1«ข้อมูล")])]),
    ("a label in full-width angle brackets after a file", f"{X}/uploads/o1.pdf＜ปี2566＞",
     [(f"{X}/uploads/o1.pdf", [th(f"{X}/uploads/o1.pdf＜ปี2566")])]),
    ("an angle bracket in a query", f"{X}/search?price<100", [(f"{X}/search?price%3C100", [])]),
    # ... but a label in guillemets glued after a query is a label as after a path (it went into the query),
    # while a quote that opens a value is the value's ("?q=«…»", a quoted search)
    ("a label in guillemets glued after a query", f"{X}/index.php?id=12«ข้อมูล»",
     [(f"{X}/index.php?id=12", [th(f"{X}/index.php?id=12«ข้อมูล")])]),
    ("a label in single angle quotes after a query's path", f"{X}/news/?p=12‹ปี2566›",
     [(f"{X}/news/?p=12", [th(f"{X}/news/?p=12‹ปี2566")])]),
    ("a quoted search in guillemets", f"{X}/search?q=«ข้อมูล»", [(th(f"{X}/search?q=«ข้อมูล"), [])]),
    ("a label in guillemets after a link without a scheme", "www.tapladuk.go.th/oit/o1«ข้อมูล»",
     [("http://www.tapladuk.go.th/oit/o1", [th("http://www.tapladuk.go.th/oit/o1«ข้อมูล")])]),
    ("a bracket closed before a label and guillemets", f"(ดู {X}/oit/o1)ข้อมูล«ปี2566»",
     [(f"{X}/oit/o1", [th(f"{X}/oit/o1)ข้อมูล«ปี2566")])]),
    # punctuation typed after a pasted link with the input method in full-width mode went into the path
    # ("…/o1%EF%BC%8E"), a working link judged a 404: it is punctuation, as its ASCII form is
    ("a full-width full stop after a link", f"ดูที่ {X}/oit/o1．", [(f"{X}/oit/o1", [])]),
    ("a full-width exclamation mark after a file", f"{X}/uploads/o19.pdf！", [(f"{X}/uploads/o19.pdf", [])]),
    ("a link in full-width quotes", f"＂{X}/oit/o1＂", [(f"{X}/oit/o1", [])]),
    ("a full-width colon and a label after a link", f"{X}/oit/o1： ข้อมูลปี 2566",
     [(f"{X}/oit/o1", [th(f"{X}/oit/o1： ข้อมูลปี 2566")])]),
    ("numbered list", f"1. {X}/oit/o8\n2. {X}/oit/o8-2", [(f"{X}/oit/o8", []), (f"{X}/oit/o8-2", [])]),
    ("facebook page and a label", "https://www.facebook.com/tapladuk.lp/ (เพจเทศบาล)",
     [("https://www.facebook.com/tapladuk.lp/", [th("https://www.facebook.com/tapladuk.lp/ (เพจเทศบาล)")])]),
    ("youtube short link beside a page", f"https://youtu.be/AbC123?si=x {X}/oit/o9",
     [("https://youtu.be/AbC123?si=x", []), (f"{X}/oit/o9", [])]),
    ("same link twice", f"{X}/oit/o10 {X}/oit/o10", [(f"{X}/oit/o10", [])]),
    # Thai glued to the URL with no space
    ("thai label glued to a file name", f"{X}/oit/o19.pdfข้อมูลปี2566",
     [(f"{X}/oit/o19.pdf", [th(f"{X}/oit/o19.pdfข้อมูลปี2566")])]),
    ("bracketed label glued to a file name", f"{X}/oit/o19.pdf(ข้อมูลปี2566)",
     [(f"{X}/oit/o19.pdf", [th(f"{X}/oit/o19.pdf(ข้อมูลปี2566)")])]),
    ("bracketed number glued to a file name", f"{X}/oit/o19.pdf(2566)", [(f"{X}/oit/o19.pdf", [f"{X}/oit/o19.pdf(2566)"])]),
    ("bracketed thai glued to a path word", f"{X}/ita/o1(โครงสร้าง)", [(th(f"{X}/ita/o1(โครงสร้าง)"), [f"{X}/ita/o1"])]),
    ("thai glued to a path word", f"{X}/ita/o1ข้อมูลโครงสร้าง", [(th(f"{X}/ita/o1ข้อมูลโครงสร้าง"), [f"{X}/ita/o1"])]),
    ("thai slug after a dash", f"{X}/news-ข่าวประชาสัมพันธ์/", [(th(f"{X}/news-ข่าวประชาสัมพันธ์/"), [])]),
    ("thai host", "http://ลำพูน.go.th/ita", [("http://xn--q3cju6cub7h.go.th/ita", [])]),
    # a Thai name typed without a scheme was `malformed`: a working link called invalid
    ("thai host, no scheme", "ลำพูน.go.th/ita", [(f"http://{LAMPHUN_TH}.go.th/ita", [])]),
    ("thai .ไทย name, no scheme, after a label", "ลิงก์: www.ลำพูน.ไทย/ita/o1",
     [(f"http://www.{LAMPHUN_TH}.xn--o3cw4h/ita/o1", [])]),
    ("a government .ไทย name of three labels", "กรมบัญชีกลาง.รัฐบาล.ไทย/o1",
     [("http://xn--12casko1f3bpx0jpa7a.xn--h3cuzk1di.xn--o3cw4h/o1", [])]),
    # ... an office's abbreviation before it ("อบต." a subdistrict office) may be part of the name or not
    ("an abbreviation before a thai name", "อบต.ลำพูน.ไทย/ita",
     [(f"http://xn--m3cj0d.{LAMPHUN_TH}.xn--o3cw4h/ita", [f"http://{LAMPHUN_TH}.xn--o3cw4h/ita"])]),
    ("an abbreviation before a go.th name", "ทต.ลำพูน.go.th/ita",
     [(f"http://xn--m3cd.{LAMPHUN_TH}.go.th/ita", [f"http://{LAMPHUN_TH}.go.th/ita"])]),
    ("thai words without a domain stay text", "ดูที่ทต.ทาปลาดุก จ.ลำพูน", [(None, [])]),
    # a dash or dots typed right before a Thai label ("…/o1–ข้อมูลปี 2566"): they went into the path, and
    # the URL alone was never checked; a path that truly holds them is the other reading
    ("an en dash before a thai label", f"{X}/oit/o1–ข้อมูลปี 2566",
     [(f"{X}/oit/o1", [th(f"{X}/oit/o1–ข้อมูลปี"), th(f"{X}/oit/o1–ข้อมูลปี 2566")])]),
    ("an em dash after a file name", f"{X}/uploads/o19.pdf—ข้อมูลปี2566",
     [(f"{X}/uploads/o19.pdf", [th(f"{X}/uploads/o19.pdf—ข้อมูลปี2566")])]),
    ("three dots before a thai label", f"{X}/oit/o1...ดูเพิ่มเติม",
     [(f"{X}/oit/o1", [th(f"{X}/oit/o1...ดูเพิ่มเติม")])]),
    ("a dash, a space and a label", f"{X}/oit/o1– ข้อมูล", [(f"{X}/oit/o1", [th(f"{X}/oit/o1–"), th(f"{X}/oit/o1– ข้อมูล")])]),
    # ... "…" is a display's shortening too: as typed first (its warning says so), the URL before it second
    ("an ellipsis before a thai label", f"{X}/oit/o1…ดูเพิ่มเติม", [(th(f"{X}/oit/o1…ดูเพิ่มเติม"), [f"{X}/oit/o1"])]),
    # ... a dash between Thai words may be a Thai slug's: as typed first; a dash between numbers is a path's
    ("an en dash in a thai slug", f"{X}/ข่าว–ประชาสัมพันธ์/", [(th(f"{X}/ข่าว–ประชาสัมพันธ์/"), [th(f"{X}/ข่าว")])]),
    ("an en dash between years", f"{X}/ita/2566–2567/o1", [(th(f"{X}/ita/2566–2567/o1"), [])]),
    # ... and a label does not end in a file name: a missing file is not judged by a page before its dash
    ("an en dash in a file name", f"{X}/uploads/O1–โครงสร้าง.pdf", [(th(f"{X}/uploads/O1–โครงสร้าง.pdf"), [])]),
    ("three dots in a fragment", f"{X}/oit#o1...ข้อมูล", [(th(f"{X}/oit#o1...ข้อมูล"), [])]),
    # an emoji typed after a link in LINE or Facebook went into the path: it parts words as a space does
    ("an emoji glued after a link", f"{X}/oit/o1🙏", [(f"{X}/oit/o1", [])]),
    ("an emoji and thanks after a file name", f"{X}/uploads/o19.pdf✅ส่งแล้วค่ะ",
     [(f"{X}/uploads/o19.pdf", [th(f"{X}/uploads/o19.pdf ส่งแล้วค่ะ")])]),
    ("an emoji pointing at a link", f"ลิงก์👉{X}/oit/o1", [(f"{X}/oit/o1", [])]),
    # a closing bracket or quote glued to Thai (written without spaces) closes what opened before the link
    ("a link in brackets glued to a thai label", f"ดูได้ที่ ({X}/oit/o1)ข้อมูลปี 2566",
     [(f"{X}/oit/o1", [th(f"{X}/oit/o1)ข้อมูลปี"), th(f"{X}/oit/o1)ข้อมูลปี 2566")])]),
    ("a link in thai quotes glued to a word", f"“{X}/oit/o1”ค่ะ", [(f"{X}/oit/o1", [th(f"{X}/oit/o1”ค่ะ")])]),
    ("a file in full-width brackets glued to a word", f"（{X}/uploads/o19.pdf）ค่ะ",
     [(f"{X}/uploads/o19.pdf", [th(f"{X}/uploads/o19.pdf）ค่ะ")])]),
    ("a bracket the path opened, then thai", "https://th.wikipedia.org/wiki/ลำพูน_(จังหวัด)ค่ะ",
     [(th("https://th.wikipedia.org/wiki/ลำพูน_(จังหวัด)ค่ะ"), [])]),
    # links pasted one right after another: two links, as meant (the glued one opens nowhere)
    ("links glued after a file name", f"{X}/oit/o1.pdfhttps://x.go.th/oit/o1-2.pdf",
     [(f"{X}/oit/o1.pdf", []), ("https://x.go.th/oit/o1-2.pdf", [])]),
    ("three links glued after path words", f"{X}/ita/o1{X}/ita/o2http://y.go.th/o3",
     [(f"{X}/ita/o1", []), (f"{X}/ita/o2", []), ("http://y.go.th/o3", [])]),
    # ... also after a link typed without a scheme: one URL, "…/o1https://…", a 404 (its missing_scheme kept)
    ("a link without a scheme and a link glued", f"www.tapladuk.go.th/oit/o1{X}/oit/o2",
     [("http://www.tapladuk.go.th/oit/o1", []), (f"{X}/oit/o2", [])]),
    ("a link without a scheme and its address glued", f"ลิงก์x.go.th/o1.pdfhttp://x.go.th/o1.pdf",
     [("http://x.go.th/o1.pdf", [])]),
    # ... and after Thai ("และ", "and"): read as one link, the second item's link was never checked
    ("links joined by a glued และ", f"{X}/ita/o1และ{X}/ita/o2",
     [(th(f"{X}/ita/o1และ"), [f"{X}/ita/o1"]), (f"{X}/ita/o2", [])]),
    ("a file name, a glued และ and a link", f"{X}/oit/o1.pdfและhttps://x.go.th/oit/o2.pdf",
     [(f"{X}/oit/o1.pdf", [th(f"{X}/oit/o1.pdfและ")]), ("https://x.go.th/oit/o2.pdf", [])]),
    # ... but never a link given to a viewer, an archive's copy, or a query's value
    ("a viewer given a link", f"https://docs.google.com/viewer?url={X}/o1.pdf",
     [(f"https://docs.google.com/viewer?url={X}/o1.pdf", [])]),
    ("an archive's copy", f"https://web.archive.org/web/2023/{X}/oit/o1",
     [(f"https://web.archive.org/web/2023/{X}/oit/o1", [])]),
    ("a link in a query", f"{X}/go.php?to=abchttp://y.go.th", [(f"{X}/go.php?to=abchttp://y.go.th", [])]),
    ("a link in the query of one without a scheme", "x.go.th/go.php?to=abchttp://y.go.th",
     [("http://x.go.th/go.php?to=abchttp://y.go.th", [])]),
    # a link copied from a page's HTML source or an e-mail: "&amp;" as typed first, then as "&"
    ("html-escaped ampersands", f"{X}/index.php?option=com_content&amp;view=article&amp;id=12 (O1)",
     [(f"{X}/index.php?option=com_content&amp;view=article&amp;id=12",
       [f"{X}/index.php?option=com_content&view=article&id=12",
        th(f"{X}/index.php?option=com_content&amp;view=article&amp;id=12 (O1)"),
        th(f"{X}/index.php?option=com_content&view=article&id=12 (O1)")])]),
    # WordPress writes "&" in its HTML as "&#038;": a browser takes "#038;..." for a fragment
    ("wordpress-escaped ampersand", "https://www.tapladuk.go.th/?page_id=12&#038;lang=th#top",
     [("https://www.tapladuk.go.th/?page_id=12&#038;lang=th#top",
       ["https://www.tapladuk.go.th/?page_id=12&lang=th#top"])]),
    # an HTML link pasted as its source (a CMS's code view, an e-mail's): its quote and tags went into the
    # path; the href is read, and the address it shows, when another, is the other reading
    ("an html link pasted as its source", f'<a href="{X}/oit/o1">{X}/oit/o1</a>', [(f"{X}/oit/o1", [])]),
    ("an html link showing another address", f'<a href="{X}/oit/o1">{X}/oit/o1-old</a>',
     [(f"{X}/oit/o1", [f"{X}/oit/o1-old"])]),
    ("an html link in single quotes with a thai label", f"<a href='{X}/uploads/รายงาน ประจำปี 2566.pdf' target='_blank'>ดาวน์โหลด</a>",
     [(th(f"{X}/uploads/รายงาน ประจำปี 2566.pdf"), [])]),
    ("an html link's escaped query is its query", f'<p><a href="{X}/index.php?option=com_content&amp;id=12">ข่าว</a></p>',
     [(f"{X}/index.php?option=com_content&id=12", [])]),
    ("an empty href and an address shown", f'<a href="#">{X}/oit/o1</a>', [(f"{X}/oit/o1", [])]),
    ("a label, an html link and another link", f'ข้อ 1 <a href="{X}/oit/o1">คลิก</a> {X}/oit/o1-2',
     [(f"{X}/oit/o1", []), (f"{X}/oit/o1-2", [])]),
    ("formula with a spaced file name", f'=HYPERLINK("{X}/แผน ปี 66.pdf","แผน")', [(th(f"{X}/แผน ปี 66.pdf"), [])]),
]


@pytest.mark.parametrize("text, expected", [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_url_shapes(text, expected):
    got = [(c.url, [a.url for a in c.alternatives]) for c in parse_cell(text)]
    assert got == expected


def test_the_table_covers_the_shapes_the_issue_names():
    assert len(SHAPES) >= 40
    texts = [s[1] for s in SHAPES]
    assert sum(" " in t.split("//", 1)[-1] and ".pdf" in t for t in texts) >= 8  # file names with spaces
    assert any("_mod=" in t for t in texts) and any("drive.google.com" in t for t in texts)
    assert any("docs.google.com" in t for t in texts) and any("#" in t for t in texts)


def test_alternatives_are_valid_urls_and_never_repeat_the_reading():
    for _, text, _ in SHAPES:
        for c in parse_cell(text):
            assert all(a.valid and a.url != c.url and not a.alternatives for a in c.alternatives)
            assert c.readings == (c, *c.alternatives)


def test_encoding_happens_once():
    (once,) = parse_cell(f"{X}/ไฟล์ ก.pdf")
    (again,) = parse_cell(once.url)
    assert again.url == once.url and "%25" not in once.url
