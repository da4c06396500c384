"""Tests for sheets_sync.collect.cells: parse_cell (one cell) and assess (per-agency rules)."""

from __future__ import annotations

import dataclasses

import pytest

from sheets_sync.collect.cells import Candidate, Submission, assess, parse_cell, read_cell
from sheets_sync.config.settings import Agency, ValidationSettings
from sheets_sync.core import normalize
from sheets_sync.core.models import RowKey, SubmissionRow
from sheets_sync.core.reasons import REASONS

LAMPHUN = "xn--q3cju6cub7h.go.th"  # ลำพูน.go.th
NAA = "%E0%B8%AB%E0%B8%99%E0%B9%89%E0%B8%B2"  # หน้า
LAMPHUN_PATH = "%E0%B8%A5%E0%B8%B3%E0%B8%9E%E0%B8%B9%E0%B8%99"  # ลำพูน (with "ำ": NFKC would split it)

# (id, cell text, [(url, reasons), ...])
CASES = [
    # plain, case, encoding
    ("plain https", "https://tapladuk.go.th/ita", [("https://tapladuk.go.th/ita", ())]),
    ("plain http", "http://tapladuk.go.th/ita", [("http://tapladuk.go.th/ita", ())]),
    ("uppercase scheme and host", "HTTPS://WWW.Tapladuk.GO.TH/Path/A", [("https://www.tapladuk.go.th/Path/A", ())]),
    ("host only gets a slash", "https://tapladuk.go.th", [("https://tapladuk.go.th/", ())]),
    ("query without path", "https://x.go.th?a=1", [("https://x.go.th/?a=1", ())]),
    ("thai idn host and path", "http://ลำพูน.go.th/หน้า", [(f"http://{LAMPHUN}/{NAA}", ())]),
    ("thai tld", "https://ลำพูน.ไทย/", [("https://xn--q3cju6cub7h.xn--o3cw4h/", ())]),
    ("percent-encoded path kept", "https://x.go.th/%E0%B8%81%20x.pdf", [("https://x.go.th/%E0%B8%81%20x.pdf", ())]),
    ("thai query encoded", "https://x.go.th/s?q=ข่าว", [("https://x.go.th/s?q=%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7", ())]),
    ("fragment kept", "https://x.go.th/a?b=1#frag", [("https://x.go.th/a?b=1#frag", ())]),
    ("port kept", "https://x.go.th:8080/a", [("https://x.go.th:8080/a", ())]),
    ("ipv4 literal is valid syntax", "http://192.168.1.1/x", [("http://192.168.1.1/x", ())]),
    ("ipv6 literal is valid syntax", "http://[::1]:8080/", [("http://[::1]:8080/", ())]),
    ("underscore tolerated", "http://a_b.go.th/", [("http://a_b.go.th/", ())]),
    ("userinfo kept", "https://user:pw@x.go.th/a", [("https://user:pw@x.go.th/a", ())]),
    ("fqdn trailing dot dropped", "http://x.go.th./a", [("http://x.go.th/a", ())]),
    # missing scheme
    ("www without scheme", "www.tapladuk.go.th/ita", [("http://www.tapladuk.go.th/ita", ("missing_scheme",))]),
    ("bare www host", "www.x.go.th", [("http://www.x.go.th/", ("missing_scheme",))]),
    ("domain without www or scheme", "tapladuk.go.th/content/generalinfo",
     [("http://tapladuk.go.th/content/generalinfo", ("missing_scheme",))]),
    ("protocol-relative", "//x.go.th/a", [("http://x.go.th/a", ("missing_scheme",))]),
    ("file name is not a host", "report2566.pdf", [(None, ("malformed",))]),
    # a label glued before a web scheme: an item's number or a word ("O1https://…" was a scheme "O1https",
    # bad_scheme, a working link called invalid; "ข้อ1https://…" lost its scheme to the label, missing_scheme)
    ("an item number glued before a link", "O1https://x.go.th/o1", [("https://x.go.th/o1", ())]),
    ("a thai item number glued before a link", "ข้อ1https://x.go.th/o1", [("https://x.go.th/o1", ())]),
    ("a word glued before a link", "ITAhttp://x.go.th/o1", [("http://x.go.th/o1", ())]),
    # other schemes
    ("javascript", "javascript:alert(1)", [(None, ("bad_scheme",))]),
    ("file", "file:///C:/Users/it/o1.pdf", [(None, ("bad_scheme",))]),
    ("data", "data:text/html,<b>hi</b>", [(None, ("bad_scheme",))]),
    ("mailto", "mailto:saraban@x.go.th", [(None, ("bad_scheme",))]),
    ("ftp", "ftp://x.go.th/o1.pdf", [(None, ("bad_scheme",))]),
    # shortened for display with "…" and copied so: checked as typed (nearly always "not found"), with advice
    ("an ellipsis at the end", "https://www.x.go.th/index.php/ita-2566/o10-แผน…",
     [("https://www.x.go.th/index.php/ita-2566/o10-%E0%B9%81%E0%B8%9C%E0%B8%99%E2%80%A6", ("truncated_link",))]),
    ("an ellipsis inside", "https://www.x.go.th/ita…/o10", [("https://www.x.go.th/ita%E2%80%A6/o10", ("truncated_link",))]),
    ("three dots after a URL are punctuation", "https://www.x.go.th/ita/o10...", [("https://www.x.go.th/ita/o10", ())]),
    # a platform's redirect page with the real address inside: that address is checked (was off_site, unchecked
    # for Facebook's, a platform page), and the note says to paste it
    ("facebook's l.php", "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.x.go.th%2Fita%2Fo10&h=AT0abc",
     [("https://www.x.go.th/ita/o10", ("wrapped_link",))]),
    ("google's /url from a Doc", "https://www.google.com/url?q=https://www.x.go.th/o10.pdf&sa=D&source=docs&usg=AOv",
     [("https://www.x.go.th/o10.pdf", ("wrapped_link",))]),
    ("outlook's safe links", "https://apc01.safelinks.protection.outlook.com/?url=http%3A%2F%2Fx.go.th%2Fo1&data=05",
     [("http://x.go.th/o1", ("wrapped_link",))]),
    ("a wrapper of no web address", "https://www.google.com/url?q=javascript:alert(1)",
     [("https://www.google.com/url?q=javascript:alert(1)", ())]),
    ("a search is no wrapper", "https://www.google.com/search?q=https://www.x.go.th/o10",
     [("https://www.google.com/search?q=https://www.x.go.th/o10", ())]),
    # typed without the scheme's colon: its note says how a link starts (malformed's named the site's name)
    ("dot for colon", "ลิงก์ http.//www.x.go.th/o1 (ปี 2566)", [(None, ("bad_scheme",))]),
    ("a semicolon for the colon", "http;//x.go.th/o1", [("http://x.go.th/o1", ("missing_scheme",))]),
    ("the word alone", "ยังไม่มี https", [(None, ("malformed",))]),
    ("tel", "tel:053511192", [(None, ("bad_scheme",))]),
    # a web scheme without its two slashes: what a browser's address bar opens, with a warning
    ("http with one slash", "http:/x.go.th/a", [("http://x.go.th/a", ("scheme_slashes",))]),
    ("https with no slash", "https:www.x.go.th/a", [("https://www.x.go.th/a", ("scheme_slashes",))]),
    ("backslashes after the scheme", "HTTPS:\\\\x.go.th\\a", [("https://x.go.th/a", ("scheme_slashes",))]),
    ("three slashes", "https:///x.go.th/a", [("https://x.go.th/a", ("scheme_slashes",))]),
    ("label then one slash", "ลิงก์:https:/x.go.th/a", [("https://x.go.th/a", ("scheme_slashes",))]),
    ("one slash and no host", "https:/", [(None, ("scheme_slashes", "malformed"))]),
    ("slashes without the colon", "https//x.go.th/a", [(None, ("bad_scheme",))]),
    # "https" typed with a Thai or CJK input method in full-width letters: it was a label before a host
    # without a scheme, checked as http://; as typed it is no link (a browser takes it for a path), hence
    # the warning
    ("a scheme in full-width letters", "ｈｔｔｐｓ://ลำพูน.go.th/o1", [(f"https://{LAMPHUN}/o1", ("scheme_slashes",))]),
    ("full-width colon and slashes", "ＨＴＴＰＳ：／／www.x.go.th/o1", [("https://www.x.go.th/o1", ("scheme_slashes",))]),
    ("one full-width letter, after a label", "ลิงก์：httpｓ://x.go.th/o1 (ปี 2566)",
     [("https://x.go.th/o1", ("scheme_slashes",))]),
    ("full-width http without slashes", "ｈｔｔｐ：x.go.th/o1", [("http://x.go.th/o1", ("scheme_slashes",))]),
    ("full-width colon after an ascii scheme", "https：//x.go.th/o1", [("https://x.go.th/o1", ("scheme_slashes",))]),
    ("a full-width word that is no scheme", "ｈｔｔｐｓｘ://x.go.th/o1", [("http://x.go.th/o1", ("missing_scheme",))]),
    # ... after an item's number or a word glued before it, as an ASCII scheme there is (ecd6594): the label's digit
    # hid the scheme, and the host after it was a link without one, http:// with missing_scheme for an https link
    ("an item number glued before a full-width link", "O1ｈｔｔｐｓ：／／ｘ．ｇｏ．ｔｈ／ｏ１",
     [("https://x.go.th/o1", ("scheme_slashes",))]),
    ("a thai item number glued before a full-width scheme", "ข้อ1ｈｔｔｐｓ：／／x.go.th/o1",
     [("https://x.go.th/o1", ("scheme_slashes",))]),
    ("a full-width word glued before a full-width link", "ＩＴＡｈｔｔｐ：／／ｘ．ｇｏ．ｔｈ／ｏ１",
     [("http://x.go.th/o1", ("scheme_slashes",))]),
    # ... and the link after it typed in full width too (the input method left in full-width mode): it was
    # malformed, a working link called invalid; read in ASCII, its Thai as typed ("ำ" kept: NFKC splits it)
    ("a link wholly in full width", "ｈｔｔｐｓ：／／ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１", [("https://www.x.go.th/o1", ("scheme_slashes",))]),
    ("a full-width link with a query and thai", "ＨＴＴＰ：／／ｘ．ｇｏ．ｔｈ：８０８０／ลำพูน／ｉｎｄｅｘ．ｐｈｐ？ｉｄ＝１２＆ｔ＝１",
     [("http://x.go.th:8080/%E0%B8%A5%E0%B8%B3%E0%B8%9E%E0%B8%B9%E0%B8%99/index.php?id=12&t=1", ("scheme_slashes",))]),
    # ... a full-width link on the line after one wrapped open is a link of its own, not the wrap's (joined, it
    # lost its warning: as typed no browser opens it)
    ("a full-width link without a scheme on the line after a folder", "ｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｏｉｔ／\nｗｗｗ．ｂ．ｇｏ．ｔｈ／ｏ２",
     [("https://a.go.th/oit/", ("scheme_slashes",)), ("http://www.b.go.th/o2", ("missing_scheme", "scheme_slashes"))]),
    ("full-width links parted by a full-width comma", "ｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｏ１，ｈｔｔｐｓ：／／ｂ．ｇｏ．ｔｈ／ｏ２",
     [("https://a.go.th/o1", ("scheme_slashes",)), ("https://b.go.th/o2", ("scheme_slashes",))]),
    # ... glued one to the other: the second's scheme was read as ASCII with the first link, and it lost the warning
    ("full-width links glued together", "ｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｏ１ｈｔｔｐ：／／ｂ．ｇｏ．ｔｈ／ｏ２",
     [("https://a.go.th/o1", ("scheme_slashes",)), ("http://b.go.th/o2", ("scheme_slashes",))]),
    ("a full-width link and an ascii one glued", "ｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｏ１https://b.go.th/o2",
     [("https://a.go.th/o1", ("scheme_slashes",)), ("https://b.go.th/o2", ())]),
    # ... and an ASCII link with a full-width one glued after it: one URL, "…/o1%EF%BD%88…", a working link a 404
    ("an ascii link and a full-width one glued", "https://a.go.th/o1ｈｔｔｐｓ：／／ｂ．ｇｏ．ｔｈ／ｏ２",
     [("https://a.go.th/o1", ()), ("https://b.go.th/o2", ("scheme_slashes",))]),
    ("an ascii file name and a full-width link glued", "http://a.go.th/o1.pdfｈｔｔｐ：／／ｂ．ｇｏ．ｔｈ／ｏ２．ｐｄｆ",
     [("http://a.go.th/o1.pdf", ()), ("http://b.go.th/o2.pdf", ("scheme_slashes",))]),
    ("an ascii link and one going full width after its scheme glued", "https://a.go.th/o1https://ｂ．ｇｏ．ｔｈ／ｏ２",
     [("https://a.go.th/o1", ()), ("https://b.go.th/o2", ("scheme_slashes",))]),
    # ... or parted from it by a bracket, a bar or a comma: the second was read in ASCII with the first and
    # lost its warning (one link given twice kept the one without it), or after an ASCII link not read at all
    ("full-width links in full-width angle brackets", "ｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｏ１＜ｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｏ１＞",
     [("https://a.go.th/o1", ("scheme_slashes",))]),
    ("a full-width link in angle brackets after an ascii one", "https://a.go.th/o1<ｈｔｔｐｓ：／／ｂ．ｇｏ．ｔｈ／ｏ２>",
     [("https://a.go.th/o1", ()), ("https://b.go.th/o2", ("scheme_slashes",))]),
    ("a full-width link without a scheme after a bar", "ｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｏ１|ｗｗｗ．ｂ．ｇｏ．ｔｈ／ｏ２",
     [("https://a.go.th/o1", ("scheme_slashes",)), ("http://www.b.go.th/o2", ("missing_scheme", "scheme_slashes"))]),
    ("a full-width link after an ascii one and a comma", "https://a.go.th/o1,ｈｔｔｐｓ：／／ｂ．ｇｏ．ｔｈ／ｏ２",
     [("https://a.go.th/o1", ()), ("https://b.go.th/o2", ("scheme_slashes",))]),
    # ... a viewer's link in a link typed wholly in full width is its query's, in ASCII as the viewer is given it
    # ("?u=https://…" typed so): the nested scheme's letters were percent-encoded, a link no viewer opens
    ("a viewer's link in a full-width link", "ｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｖｉｅｗ？ｕ＝ｈｔｔｐｓ：／／ｂ．ｇｏ．ｔｈ／ｏ２",
     [("https://a.go.th/view?u=https://b.go.th/o2", ("scheme_slashes",))]),
    ("an archive's copy typed in full width", "ｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｗｅｂ／２０２３／ｈｔｔｐ：／／ｂ．ｇｏ．ｔｈ／ｏ１",
     [("https://a.go.th/web/2023/http://b.go.th/o1", ("scheme_slashes",))]),
    ("a full-width link in full-width brackets", "ดูได้ที่（ｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｏ１）",
     [("https://a.go.th/o1", ("scheme_slashes",))]),
    ("a full-width link, then an ascii one", "ｈｔｔｐ：／／ａ．ｇｏ．ｔｈ／ｏ１ https://b.go.th/(ｏ２)",
     [("http://a.go.th/o1", ("scheme_slashes",)), ("https://b.go.th/(%EF%BD%8F%EF%BC%92)", ())]),
    # ... also after an ASCII scheme (typed before the input method switched, or an autocomplete's): it was
    # malformed; as typed no browser opens it either, hence the same warning. A full-width path after an
    # ASCII host is a path as typed (a browser sends it so)
    ("a full-width link after an ascii scheme", "https://ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１", [("https://www.x.go.th/o1", ("scheme_slashes",))]),
    ("a full-width link after an ascii scheme and a label", "ลิงก์ http://ｘ．ｇｏ．ｔｈ／ลำพูน／ｏ１ (ปี 2566)",
     [("http://x.go.th/%E0%B8%A5%E0%B8%B3%E0%B8%9E%E0%B8%B9%E0%B8%99/o1", ("scheme_slashes",))]),
    ("a full-width path after an ascii host", "https://x.go.th/ｏ１", [("https://x.go.th/%EF%BD%8F%EF%BC%91", ())]),
    # ... but a full-width "/" ends no host to a browser (it maps it into the name, where it is forbidden): it
    # was malformed; read in ASCII from there, its Thai as typed ("ำ" kept)
    ("a full-width slash after an ascii host", "https://www.x.go.th／ｏ１", [("https://www.x.go.th/o1", ("scheme_slashes",))]),
    ("a full-width slash and thai after an ascii host and port", "http://x.go.th:8080／ลำพูน／ｏ１？ｉｄ＝１",
     [(f"http://x.go.th:8080/{LAMPHUN_PATH}/o1?id=1", ("scheme_slashes",))]),
    # ... and after a host typed without a scheme: it was malformed; read so, with both warnings (as typed no
    # browser opens it, with https:// added either)
    ("a full-width slash after a host without a scheme", "www.x.go.th／ｏ１",
     [("http://www.x.go.th/o1", ("missing_scheme", "scheme_slashes"))]),
    ("a label, a host without a scheme, a full-width slash and thai", "ลิงก์ x.go.th／ลำพูน／ｏ１ (ปี 2566)",
     [(f"http://x.go.th/{LAMPHUN_PATH}/o1", ("missing_scheme", "scheme_slashes"))]),
    ("a host without a scheme, a port and a full-width slash", "//x.go.th:8080／ｏ１？ｉｄ＝１",
     [("http://x.go.th:8080/o1?id=1", ("missing_scheme", "scheme_slashes"))]),
    # ... a full-width question mark ending a link is a sentence's, not a query's: no warning of a link's start
    ("a full-width question mark after a host", "ใช่ไหม https://www.x.go.th？", [("https://www.x.go.th/", ())]),
    ("a full-width question mark after a host without a scheme", "www.x.go.th？",
     [("http://www.x.go.th/", ("missing_scheme",))]),
    # ... or the link wholly so, its host too (the input method in full-width mode from the start): malformed
    ("a link without a scheme wholly in full width", "ｗｗｗ．ｘ．ｇｏ．ｔｈ／ｏ１",
     [("http://www.x.go.th/o1", ("missing_scheme", "scheme_slashes"))]),
    ("a label and a full-width link without a scheme, a port and thai", "ดูที่ ｘ．ｇｏ．ｔｈ：８０８０／ลำพูน／ｏ１？ｉｄ＝１",
     [(f"http://x.go.th:8080/{LAMPHUN_PATH}/o1?id=1", ("missing_scheme", "scheme_slashes"))]),
    ("a full-width file name is no host", "ไฟล์ ｏ１９．ｐｄｆ", [(None, ("malformed",))]),
    ("a full-width path after a host without a scheme", "x.go.th/ｏ１",
     [("http://x.go.th/%EF%BD%8F%EF%BC%91", ("missing_scheme",))]),
    ("a host and a full-width slash in an ascii link's query", "https://a.go.th/go?u=www.b.go.th／ｏ１",
     [("https://a.go.th/go?u=www.b.go.th%EF%BC%8F%EF%BD%8F%EF%BC%91", ())]),
    ("a full-width host in a query of a link without a scheme", "x.go.th/go?u=ｗｗｗ．ｂ．ｇｏ．ｔｈ",
     [("http://x.go.th/go?u=%EF%BD%97%EF%BD%97%EF%BD%97%EF%BC%8E%EF%BD%82%EF%BC%8E%EF%BD%87%EF%BD%8F%EF%BC%8E%EF%BD%94%EF%BD%88",
       ("missing_scheme",))]),
    # Google's breadcrumb of an address is a display of part of it, not the address: copy it from the
    # address bar (as typed it opens nothing on ITAS)
    ("google's breadcrumb", "https://www.x.go.th › ita › o1", [("https://www.x.go.th/ita/o1", ("breadcrumb_link",))]),
    # ... its own note: truncated_link's speaks of a "…" it may not show (one it shows gets both)
    ("google's breadcrumb shortened", "https://www.x.go.th › ita › o10-แผน…",
     [("https://www.x.go.th/ita/o10-%E0%B9%81%E0%B8%9C%E0%B8%99%E2%80%A6", ("truncated_link", "breadcrumb_link"))]),
    # a link pasted after a scheme typed first: the inner link is meant (it was malformed); as typed a
    # browser goes to a site named "https", so the note says to copy the address again
    ("a scheme typed before a pasted link", "https://https://www.x.go.th/o1",
     [("https://www.x.go.th/o1", ("scheme_slashes",))]),
    ("http typed before a pasted https link", "http://https://www.x.go.th/o1",
     [("https://www.x.go.th/o1", ("scheme_slashes",))]),
    ("a label and a doubled scheme", "ลิงก์: HTTPS://http://x.go.th/o1.pdf (ปี 2566)",
     [("http://x.go.th/o1.pdf", ("scheme_slashes",))]),
    ("a scheme typed before a pasted link with one slash", "https://https:/x.go.th/o1",
     [("https://x.go.th/o1", ("scheme_slashes",))]),
    # ... with no "://" between ("httpshttps://…", a scheme "httpshttps" to a browser): it was an ok link with
    # nothing said, the typed "https" taken for a label as "O1" is
    ("a scheme typed glued before a pasted link", "httpshttps://a.go.th/o1", [("https://a.go.th/o1", ("scheme_slashes",))]),
    ("http typed glued before a pasted https link", "httphttps://a.go.th/o1", [("https://a.go.th/o1", ("scheme_slashes",))]),
    ("a scheme and colon glued before a pasted link", "https:https://a.go.th/o1",
     [("https://a.go.th/o1", ("scheme_slashes",))]),
    ("an item number and a scheme glued before a link", "O1httpshttps://a.go.th/o1",
     [("https://a.go.th/o1", ("scheme_slashes",))]),
    ("a full-width scheme glued before a pasted link", "ｈｔｔｐｓhttps://a.go.th/o1",
     [("https://a.go.th/o1", ("scheme_slashes",))]),
    ("a scheme typed glued before a link glued to a link", "https://a.go.th/o1httpshttps://b.go.th/o2",
     [("https://a.go.th/o1", ()), ("https://b.go.th/o2", ("scheme_slashes",))]),
    # ... before a full-width link glued so too: it was never read, the first link's path ("…/o1https%EF%BD%88…", a 404)
    ("a scheme typed before a full-width link glued to a link", "https://a.go.th/o1httpsｈｔｔｐｓ：／／ｂ．ｇｏ．ｔｈ／ｏ２",
     [("https://a.go.th/o1", ()), ("https://b.go.th/o2", ("scheme_slashes",))]),
    # ... and one so glued to an ASCII link ended the reading of the cell in full width: a full-width link after it was dropped
    ("a full-width link after a scheme typed glued before a link", "https://a.go.th/o1httpshttps://b.go.th/o2 ｈｔｔｐｓ：／／ｃ．ｇｏ．ｔｈ",
     [("https://a.go.th/o1", ()), ("https://b.go.th/o2", ("scheme_slashes",)), ("https://c.go.th/", ("scheme_slashes",))]),
    ("a full-width scheme typed before a full-width link glued to one", "ｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｏ１ｈｔｔｐｓｈｔｔｐｓ：／／ｂ．ｇｏ．ｔｈ／ｏ２",
     [("https://a.go.th/o1", ("scheme_slashes",)), ("https://b.go.th/o2", ("scheme_slashes",))]),
    # ... with the slashes a browser forgives after a scheme ("https:/…" is read): it was malformed, a working link
    # called invalid, or with none the host was read alone, http:// and missing_scheme, a warning that did not apply
    ("a scheme typed glued before a link with one slash", "httpshttps:/a.go.th/o1",
     [("https://a.go.th/o1", ("scheme_slashes",))]),
    ("a scheme typed glued before a link with no slash", "ลิงก์httpshttps:a.go.th/o1",
     [("https://a.go.th/o1", ("scheme_slashes",))]),
    # whitespace and several URLs
    ("spaces, tabs and newlines around", "  \t https://x.go.th/a \n ", [("https://x.go.th/a", ())]),
    ("newline separated", "https://x.go.th/1\nhttps://x.go.th/2",
     [("https://x.go.th/1", ()), ("https://x.go.th/2", ())]),
    ("crlf and tabs between", "https://x.go.th/1\r\n\thttps://x.go.th/2",
     [("https://x.go.th/1", ()), ("https://x.go.th/2", ())]),
    ("comma and space", "https://x.go.th/1, https://x.go.th/2", [("https://x.go.th/1", ()), ("https://x.go.th/2", ())]),
    ("comma before new url", "https://x.go.th/1,https://x.go.th/2",
     [("https://x.go.th/1", ()), ("https://x.go.th/2", ())]),
    ("bar before a new url", "https://x.go.th/1|https://x.go.th/2 | www.x.go.th/3",
     [("https://x.go.th/1", ()), ("https://x.go.th/2", ()), ("http://www.x.go.th/3", ("missing_scheme",))]),
    ("comma before www", "www.x.go.th/1,www.x.go.th/2",
     [("http://www.x.go.th/1", ("missing_scheme",)), ("http://www.x.go.th/2", ("missing_scheme",))]),
    ("space separated", "https://x.go.th/1 https://x.go.th/2", [("https://x.go.th/1", ()), ("https://x.go.th/2", ())]),
    ("semicolon separated", "https://x.go.th/1; https://x.go.th/2",
     [("https://x.go.th/1", ()), ("https://x.go.th/2", ())]),
    ("ideographic comma", "https://x.go.th/1、https://x.go.th/2", [("https://x.go.th/1", ()), ("https://x.go.th/2", ())]),
    ("same url twice is one", "https://x.go.th/1\nhttps://x.go.th/1", [("https://x.go.th/1", ())]),
    # ... the one with fewer faults: Outlook's plain text of a link typed without its scheme holds the link in
    # full ("<http://…>"); the text's missing_scheme came first and was kept, a warning that did not apply
    ("outlook's text without a scheme, then its link", "x.go.th/o1<http://x.go.th/o1>", [("http://x.go.th/o1", ())]),
    ("a link, then the same without its scheme", "http://x.go.th/o1 x.go.th/o1", [("http://x.go.th/o1", ())]),
    ("comma inside query", "https://x.go.th/index.php?_mod=ZGF0YQ&ids=1,2,3",
     [("https://x.go.th/index.php?_mod=ZGF0YQ&ids=1,2,3", ())]),
    ("semicolon inside path", "https://x.go.th/a;jsessionid=F00", [("https://x.go.th/a;jsessionid=F00", ())]),
    ("zero-width and nbsp", "\ufeffhttps://x.go.th/\u200ba\u00a0https://y.go.th/b",
     [("https://x.go.th/a", ()), ("https://y.go.th/b", ())]),
    # bidi marks and isolates from LINE or a PDF, an emoji's variation selector: they were kept in the path
    ("bidi marks at the ends", "\u200ehttps://x.go.th/a\u200f", [("https://x.go.th/a", ())]),
    ("bidi isolate and embedding", "\u2067\u202bhttps://x.go.th/a\u202c\u2069 https://y.go.th/b\ufe0f",
     [("https://x.go.th/a", ()), ("https://y.go.th/b", ())]),
    # labels around links
    ("thai label with space", "ลิงก์: https://x.go.th/a", [("https://x.go.th/a", ())]),
    ("thai label glued", "ลิงก์:https://x.go.th/a", [("https://x.go.th/a", ())]),
    ("thai label glued to www", "ข้อมูลwww.x.go.th/a", [("http://www.x.go.th/a", ("missing_scheme",))]),
    ("note in brackets after", "https://x.go.th/a (ข้อมูลปี 2566)", [("https://x.go.th/a", ())]),
    ("bullets", "- https://x.go.th/1\n- https://x.go.th/2", [("https://x.go.th/1", ()), ("https://x.go.th/2", ())]),
    ("english label that looks like a scheme", "Data: https://x.go.th/a", [("https://x.go.th/a", ())]),
    ("e-mail next to a link is a label", "ติดต่อ saraban@x.go.th https://x.go.th/a", [("https://x.go.th/a", ())]),
    ("no url at all", "อยู่ระหว่างจัดทำ", [(None, ("malformed",))]),
    ("valid and invalid together", "https://x.go.th/a javascript:void(0)",
     [("https://x.go.th/a", ()), (None, ("bad_scheme",))]),
    # trailing punctuation
    ("full stop", "https://x.go.th/a.", [("https://x.go.th/a", ())]),
    ("parentheses", "(https://x.go.th/a)", [("https://x.go.th/a", ())]),
    ("angle brackets", "<https://x.go.th/a>", [("https://x.go.th/a", ())]),
    # full-width and CJK brackets (a Thai IME's, a LINE note's) were kept in the path: a working link read as broken
    ("full-width parentheses", "ดูได้ที่（https://x.go.th/a）", [("https://x.go.th/a", ())]),
    ("lenticular and corner brackets", "【https://x.go.th/a】 「https://x.go.th/b」。",
     [("https://x.go.th/a", ()), ("https://x.go.th/b", ())]),
    ("ascii quotes", '"https://x.go.th/a"', [("https://x.go.th/a", ())]),
    ("thai curly quotes", "“https://x.go.th/a”", [("https://x.go.th/a", ())]),
    ("balanced parenthesis kept", "https://th.wikipedia.org/wiki/ลำพูน_(จังหวัด)",
     [("https://th.wikipedia.org/wiki/%E0%B8%A5%E0%B8%B3%E0%B8%9E%E0%B8%B9%E0%B8%99_"
       "(%E0%B8%88%E0%B8%B1%E0%B8%87%E0%B8%AB%E0%B8%A7%E0%B8%B1%E0%B8%94)", ())]),
    # formulas
    ("hyperlink comma", '=HYPERLINK("https://x.go.th/a","ข้อ 1")', [("https://x.go.th/a", ("formula",))]),
    ("hyperlink semicolon lower case", '=hyperlink("https://x.go.th/a"; "ข้อ 1")', [("https://x.go.th/a", ("formula",))]),
    ("hyperlink one argument", '=HYPERLINK("https://x.go.th/a")', [("https://x.go.th/a", ("formula",))]),
    ("hyperlink without scheme", '=HYPERLINK("www.x.go.th/a","ข้อ 1")',
     [("http://www.x.go.th/a", ("formula", "missing_scheme"))]),
    ("hyperlink to javascript", '=HYPERLINK("javascript:alert(1)","x")', [(None, ("formula", "bad_scheme"))]),
    ("arithmetic formula", "=1+1", [(None, ("malformed",))]),
    ("other formula holding a url", '=CONCAT("https://x.go.th/","a")', [(None, ("malformed",))]),
    ("phone number", "+66 53 511 192", [(None, ("malformed",))]),
    ("at sign", "@ทต.ทาปลาดุก", [(None, ("malformed",))]),
    # bad ports and hosts
    ("port zero", "https://x.go.th:0/", [(None, ("malformed",))]),
    ("port too big", "https://x.go.th:65536/", [(None, ("malformed",))]),
    ("port not a number", "https://x.go.th:abc/", [(None, ("malformed",))]),
    ("port empty", "https://x.go.th:/a", [(None, ("malformed",))]),
    ("highest port", "https://x.go.th:65535/", [("https://x.go.th:65535/", ())]),
    ("space in host", "http://exa mple.go.th", [(None, ("malformed",))]),
    ("space after www.", "https://www. tapladuk.go.th/a", [(None, ("malformed",))]),
    ("hyphen at label edges", "http://-bad-.go.th/", [(None, ("malformed",))]),
    ("empty first label", "http://.go.th/", [(None, ("malformed",))]),
    ("empty middle label", "http://x..go.th/", [(None, ("malformed",))]),
    ("label of 63 is fine", "http://" + "a" * 63 + ".go.th/", [("http://" + "a" * 63 + ".go.th/", ())]),
    ("label of 64", "http://" + "a" * 64 + ".go.th/", [(None, ("malformed",))]),
    ("single label host", "http://intranet/o1", [(None, ("malformed",))]),
    ("empty host", "https://", [(None, ("malformed",))]),
    ("symbol in host", "https://x!.go.th/a", [(None, ("malformed",))]),
    ("bad ipv4", "http://999.1.1.1/", [(None, ("malformed",))]),
    ("no scheme and a bad port: both found, in order", "www.x.go.th:99999/a", [(None, ("missing_scheme", "malformed"))]),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_parse_cell_table(text, expected):
    assert [(c.url, c.reasons) for c in parse_cell(text)] == expected


def test_table_is_big_enough_and_uses_known_reasons():
    assert len(CASES) >= 45
    used = {r for _, _, exp in CASES for _, reasons in exp for r in reasons}
    assert used == {"missing_scheme", "scheme_slashes", "bad_scheme", "malformed", "formula", "wrapped_link",
                    "truncated_link", "breadcrumb_link"}
    assert used <= set(REASONS)


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t ", "\u200b\ufeff", "\u00a0", "\u200e\u2069"])
def test_empty_cells_have_no_candidates(text):
    assert parse_cell(text) == ()


def test_2000_characters_pass_and_2001_are_too_long():
    base = "https://x.go.th/"
    exactly = base + "a" * (2000 - len(base))
    assert len(exactly) == 2000
    assert [(c.url, c.reasons) for c in parse_cell(exactly)] == [(exactly, ())]
    over = exactly + "a"
    assert parse_cell(over) == (Candidate(raw=over, url=None, reasons=("too_long",)),)


def test_length_is_measured_after_trimming_and_max_length_is_honoured():
    assert [c.url for c in parse_cell("  https://x.go.th/abc  ", max_length=20)] == ["https://x.go.th/abc"]
    assert parse_cell("https://x.go.th/abcde", max_length=20) == (
        Candidate(raw="https://x.go.th/abcde", url=None, reasons=("too_long",)),)


def test_a_long_cell_of_several_urls_is_judged_url_by_url():
    # a month's links, each encoded Thai (as the address bar copies it): the cell was too_long as a
    # whole, every working link in it called invalid
    urls = [f"https://x.go.th/uploads/{'%E0%B8%A3%E0%B8%B2%E0%B8%A2' * 12}/o7-{m}.pdf" for m in range(1, 9)]
    cell = "\n".join(urls)
    assert len(cell) > 2000 and all(len(u) < 500 for u in urls)
    assert [(c.url, c.reasons) for c in parse_cell(cell)] == [(u, ()) for u in urls]
    # ... a URL of its own over the length is too_long, beside the others judged as any
    long = "https://x.go.th/" + "a" * 2000
    assert [(c.raw, c.url, c.reasons) for c in parse_cell(f"ลิงก์ {urls[0]}\n{long}")] == [
        (urls[0], urls[0], ()), (long, None, ("too_long",))]
    # ... and a label that makes a reading too long leaves the URL alone
    (c,) = parse_cell(long[:1990] + " ข้อมูลปี 2566")
    assert (c.url, c.alternatives) == (long[:1990], ())


def test_a_cell_longer_than_ten_urls_is_too_long_as_a_whole():
    # a pasted document, not a list of links: its every word would cost a request
    text = "ข้อมูล https://x.go.th/a " * 1000
    assert len(text) > 20000
    assert parse_cell(text) == (Candidate(text.strip(), None, ("too_long",)),)


@pytest.mark.parametrize("space", ["\u3000", "\u2003", "\u2002", "\u2009", "\u205f", "\u00a0", "\u202f"])
def test_a_wide_or_no_break_space_is_read_as_a_space(space):
    # an ideographic (IME), em or no-break space between a URL and its label separates them as a space does
    texts = ["https://x.go.th/oit/o1{}ข้อมูลปี 2566", "https://x.go.th/o19.pdf{}(ข้อมูลปี 2566)",
             "https://x.go.th/a{}https://x.go.th/b", "ลิงก์{}https://x.go.th/o1",
             # ... and inside an unfinished host: read apart, the second half was checked as a site of its own
             "http://exa{}mple.go.th/o1"]
    for text in texts:
        assert [(c.url, c.reasons) for c in parse_cell(text.format(space))] == [
            (c.url, c.reasons) for c in parse_cell(text.format(" "))], text


def test_a_cell_of_links_glued_one_after_another_is_read_at_any_length():
    # a list pasted with no separator, in ASCII or in full width: each link was parted from the rest by a call
    # of its own, and past about a thousand parse_cell raised RecursionError, which stopped the whole sync
    links = [f"http://a.th/{i}" for i in range(1300)]
    wide = "".join(links).translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert len(wide) < 20000 and [c.url for c in parse_cell("".join(links))] == links
    assert [(c.url, c.reasons) for c in parse_cell(wide)] == [(link, ("scheme_slashes",)) for link in links]


def test_raw_is_the_url_as_typed_or_the_whole_cell():
    assert parse_cell("ลิงก์: https://x.go.th/a.") == (Candidate("https://x.go.th/a", "https://x.go.th/a", ()),)
    assert parse_cell("  ยังไม่มี  ") == (Candidate("ยังไม่มี", None, ("malformed",)),)
    assert parse_cell('=HYPERLINK("https://x.go.th/a","ข้อ 1")') == (
        Candidate('=HYPERLINK("https://x.go.th/a","ข้อ 1")', "https://x.go.th/a", ("formula",)),)
    assert parse_cell("http://exa mple.go.th") == (Candidate("http://exa mple.go.th", None, ("malformed",)),)
    # ... and no link is cut before a "<" as a web link's label is ("…/o1«ข้อมูล»")
    assert parse_cell("data:text/html,<b>hi</b>") == (Candidate("data:text/html,<b>hi</b", None, ("bad_scheme",)),)
    # a scheme typed glued before the link is part of what the agency typed (the label before it is not)
    assert [c.raw for c in parse_cell("ลิงก์httpshttps://a.go.th/o1 O1ｈｔｔｐｓhttps://b.go.th/o2")] == [
        "httpshttps://a.go.th/o1", "ｈｔｔｐｓhttps://b.go.th/o2"]
    # ... before a link typed in full width too (the typed "https" was a label, left out of what the assessor is shown)
    assert [(c.raw, c.url, c.reasons) for c in parse_cell("ลิงก์httpsｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｏ１ ｈｔｔｐｓｈｔｔｐｓ：／／ｂ．ｇｏ．ｔｈ")] == [
        ("httpsｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｏ１", "https://a.go.th/o1", ("scheme_slashes",)),
        ("ｈｔｔｐｓｈｔｔｐｓ：／／ｂ．ｇｏ．ｔｈ", "https://b.go.th/", ("scheme_slashes",))]
    # a full-width word that is no host ("ｏ１９．ｐｄｆ") is not written as a link without a scheme
    assert parse_cell("ไฟล์ ｏ１９．ｐｄｆ") == (Candidate("ไฟล์ ｏ１９．ｐｄｆ", None, ("malformed",)),)
    # ... nor is one read in ASCII (it was "／／www.x.go.th/o1", which an import wrote into the agency's cell, or
    # "ｈｔｔｐｓ://…"): what the agency typed, an item's number before it left out, "&amp;" read as "&" too
    assert [c.raw for c in parse_cell("www.x.go.th／ｏ１ O1ｈｔｔｐｓ：／／ｙ．ｇｏ．ｔｈ／ｏ１")] == [
        "www.x.go.th／ｏ１", "ｈｔｔｐｓ：／／ｙ．ｇｏ．ｔｈ／ｏ１"]
    (c,) = parse_cell("ｈｔｔｐ：／／ａ．ｇｏ．ｔｈ／？ａ＝１&amp;ｂ＝２")
    assert [r.raw for r in c.readings] == ["ｈｔｔｐ：／／ａ．ｇｏ．ｔｈ／？ａ＝１&amp;ｂ＝２", "ｈｔｔｐ：／／ａ．ｇｏ．ｔｈ／？ａ＝１&ｂ＝２"]
    # ... a full-width link wrapped over two lines, joined as an ASCII one is: the two lines' text, joined
    (c,) = parse_cell("ลิงก์ ｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｕｐｌｏａｄｓ／\nｏ１．ｐｄｆ\n（ข้อมูล）")
    assert (c.raw, c.url, c.reasons) == ("ｈｔｔｐｓ：／／ａ．ｇｏ．ｔｈ／ｕｐｌｏａｄｓ／ｏ１．ｐｄｆ", "https://a.go.th/uploads/o1.pdf",
                                         ("scheme_slashes",))
    # ... "&amp;" typed in full width too (HTML source copied in full-width mode): its "；" ended the link, "?a=1&amp";
    # a "；" that ends no escape still parts two links
    c, other = parse_cell("ｈｔｔｐ：／／ａ．ｇｏ．ｔｈ／？ａ＝１＆ａｍｐ；ｂ＝２＆＃０３８；ｃ＝３；ｗｗｗ．ｂ．ｇｏ．ｔｈ")
    assert (other.raw, other.url) == ("ｗｗｗ．ｂ．ｇｏ．ｔｈ", "http://www.b.go.th/")
    assert [(r.raw, r.url, r.reasons) for r in c.readings] == [
        ("ｈｔｔｐ：／／ａ．ｇｏ．ｔｈ／？ａ＝１＆ａｍｐ；ｂ＝２＆＃０３８；ｃ＝３", "http://a.go.th/?a=1&amp;b=2&#038;c=3",
         ("scheme_slashes", "escaped_ampersand")),
        ("ｈｔｔｐ：／／ａ．ｇｏ．ｔｈ／？ａ＝１＆ｂ＝２＆ｃ＝３", "http://a.go.th/?a=1&b=2&c=3", ("scheme_slashes", "escaped_ampersand"))]


@pytest.mark.parametrize("text", [text for _, text, _ in CASES if "\u203a" not in text],
                         ids=[name for name, text, _ in CASES if "\u203a" not in text])
def test_every_readings_raw_is_text_the_agency_typed(text):
    # raw is shown to the assessor and written back by an import: a run of the cell, never the text as read
    # (a full-width link in ASCII). A breadcrumb's reading is joined by "/", as no run of the cell is.
    assert all(r.raw in normalize.visible(text) for c in parse_cell(text) for r in c.readings)


def test_valid_property_and_frozen():
    good, bad = parse_cell("https://x.go.th/a javascript:x")
    assert (good.valid, bad.valid) == (True, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        good.url = "https://evil.example/"


# ---------------------------------------------------------------- assess
AGENCIES = {
    "TPD": Agency(code="TPD", name="เทศบาลตำบลทาปลาดุก", domains=("tapladuk.go.th",)),
    "LPN": Agency(code="LPN", name="จังหวัดลำพูน", domains=(LAMPHUN,)),
    "NOD": Agency(code="NOD", name="อบต.ไม่มีเว็บ", domains=()),
}
SETTINGS = ValidationSettings()


def row(agency: str, item: str, text: str) -> SubmissionRow:
    return SubmissionRow(key=RowKey(agency, item), url_text=text)


def reasons_of(rows, agencies=AGENCIES, settings=SETTINGS):
    """{(agency, item): [reasons of each candidate]} after assess."""
    return {str(s.key): [c.reasons for c in s.candidates] for s in assess(rows, agencies, settings)}


def test_assess_keeps_row_order_and_fields():
    rows = [row("TPD", "O2", "https://tapladuk.go.th/o2"), row("TPD", "O1", ""), row("NOD", "O3", "x")]
    out = assess(rows, AGENCIES, SETTINGS)
    assert [s.key for s in out] == [RowKey("TPD", "O2"), RowKey("TPD", "O1"), RowKey("NOD", "O3")]
    assert out[0] == Submission(RowKey("TPD", "O2"), "https://tapladuk.go.th/o2",
                                (Candidate("https://tapladuk.go.th/o2", "https://tapladuk.go.th/o2", ()),))
    assert out[1].candidates == ()
    assert out[2].candidates == (Candidate("x", None, ("malformed",)),)


@pytest.mark.parametrize("text, expected", [
    ("https://tapladuk.go.th", [("homepage_only",)]),
    ("https://www.tapladuk.go.th/", [("homepage_only",)]),
    ("https://tapladuk.go.th/index.php", [("homepage_only",)]),
    ("https://tapladuk.go.th/Index.html", [("homepage_only",)]),
    ("https://tapladuk.go.th/home/", [("homepage_only",)]),
    ("https://tapladuk.go.th/default.aspx", [("homepage_only",)]),
    ("https://tapladuk.go.th/#top", [("homepage_only",)]),
    ("www.tapladuk.go.th", [("missing_scheme", "homepage_only")]),
    # the home page in Thai, or shared on Facebook or LINE: still the home page
    ("https://tapladuk.go.th/?lang=th", [("homepage_only",)]),
    ("https://tapladuk.go.th/index.php?fbclid=IwAR0abc&utm_source=line", [("homepage_only",)]),
    ("https://tapladuk.go.th/?lang=th&page_id=12", [()]),
    # a multilingual site's home page in one language, an ASP.NET site's default route
    ("https://tapladuk.go.th/th/", [("homepage_only",)]),
    ("https://tapladuk.go.th/en/index.php", [("homepage_only",)]),
    ("https://tapladuk.go.th/Home/Index", [("homepage_only",)]),
    ("https://tapladuk.go.th/th/ita-2566/o1", [()]),
    ("https://tapladuk.go.th/thai/", [()]),
    ("https://tapladuk.go.th/my/", [()]),  # Moodle's own page, not Burmese
    # false-positive guards: vendor templates, real pages, hash routes
    ("https://tapladuk.go.th/index.php?_mod=ZGF0YQ&type=1", [()]),
    ("https://tapladuk.go.th/content/generalinfo", [()]),
    ("https://tapladuk.go.th/#/oit/o1", [()]),
    ("https://tapladuk.go.th/?page_id=12", [()]),
])
def test_homepage_only(text, expected):
    assert reasons_of([row("TPD", "O1", text)]) == {"TPD/O1": expected}


@pytest.mark.parametrize("item, text, expected", [
    ("O20", "https://drive.google.com/file/d/abc/view", [("off_site",)]),
    ("O20", "https://nottapladuk.go.th/o20", [("off_site",)]),  # a suffix is not a subdomain
    ("O20", "https://tapladuk.go.th.evil.example/o20", [("off_site",)]),
    ("O20", "https://tapladuk.go.th@evil.example/o20", [("off_site",)]),  # userinfo is not the host
    ("O20", "http://192.168.1.10/o20", [("off_site",)]),
    ("O5", "https://www.facebook.com/tapladuk", [("off_site",)]),  # facebook is only exempt for O9
    # false-positive guards: own domain, www, subdomains, O9 on social platforms
    ("O20", "https://tapladuk.go.th/o20", [()]),
    ("O20", "http://WWW.Tapladuk.go.th/o20", [()]),
    ("O20", "https://oit.tapladuk.go.th/o20", [()]),
    ("O9", "https://www.facebook.com/tapladuk", [()]),
    ("O9", "https://m.facebook.com/tapladuk", [()]),
    ("O9", "https://www.youtube.com/@tapladuk", [()]),
    ("O9", "https://drive.google.com/file/d/abc/view", [("off_site",)]),  # not a platform host
    # a shortened link: where it leads is unknown here, and "outside the agency's site" may be false
    ("O20", "https://bit.ly/3abcXYZ", [("short_link",)]),
    ("O9", "https://shorturl.asia/Ab12C", [("short_link",)]),
    # a LINE official account's "add friend" link as LINE OA Manager gives it: the channel itself
    ("O9", "https://lin.ee/AbC1dEf", [()]),
    ("O9", "https://m.me/tapladuk", [()]),  # the page's Messenger chat
    ("O20", "https://lin.ee/AbC1dEf", [("short_link",)]),
    ("O20", "https://bitly.com.evil.example/x", [("off_site",)]),  # only the shorteners' own hosts
    # a link copied from a Facebook post: the agency's own page inside, judged as that page (was off_site)
    ("O20", "https://l.facebook.com/l.php?u=https%3A%2F%2Ftapladuk.go.th%2Fo20&h=AT0", [("wrapped_link",)]),
    ("O20", "https://l.facebook.com/l.php?u=https%3A%2F%2Fother.go.th%2Fo20&h=AT0", [("wrapped_link", "off_site")]),
])
def test_off_site(item, text, expected):
    assert reasons_of([row("TPD", item, text)]) == {f"TPD/{item}": expected}


def test_off_site_compares_punycode_for_thai_domains():
    rows = [row("LPN", "O1", "https://ลำพูน.go.th/o1"), row("LPN", "O2", f"https://www.{LAMPHUN}/o2"),
            row("LPN", "O3", "https://lamphun.go.th/o3")]
    assert reasons_of(rows) == {"LPN/O1": [()], "LPN/O2": [()], "LPN/O3": [("off_site",)]}


def test_off_site_skipped_for_unknown_agency_or_agency_without_domains():
    rows = [row("NOD", "O1", "https://drive.google.com/x"), row("ZZZ", "O1", "https://drive.google.com/y")]
    assert reasons_of(rows) == {"NOD/O1": [()], "ZZZ/O1": [()]}


def test_off_site_uses_agency_domains_as_typed_and_settings_as_given():
    agencies = {"TPD": Agency(code="TPD", name="x", domains=("https://www.Tapladuk.go.th/",))}
    settings = ValidationSettings(platform_hosts=("line.me",), social_items=("O09",))
    rows = [row("TPD", "O1", "https://tapladuk.go.th/o1"), row("TPD", "O9", "https://line.me/R/ti/p/@tpd"),
            row("TPD", "O9b", "https://www.facebook.com/tpd")]
    assert reasons_of(rows, agencies, settings) == {"TPD/O1": [()], "TPD/O9": [()], "TPD/O9b": [("off_site",)]}


def test_duplicate_in_agency_marks_every_involved_candidate():
    rows = [
        row("TPD", "O1", "https://tapladuk.go.th/ita"),
        row("TPD", "O2", "http://www.tapladuk.go.th/ita/"),  # same after scheme, www, slash
        row("TPD", "O3", "https://tapladuk.go.th/o3\nhttps://TAPLADUK.go.th/ita"),
        row("TPD", "O4", "https://tapladuk.go.th/o4"),
    ]
    assert reasons_of(rows) == {
        "TPD/O1": [("duplicate_in_agency",)],
        "TPD/O2": [("duplicate_in_agency",)],
        "TPD/O3": [(), ("duplicate_in_agency",)],
        "TPD/O4": [()],
    }


def test_duplicate_guards_same_cell_other_agency_other_page():
    rows = [
        row("TPD", "O1", "https://tapladuk.go.th/ita https://tapladuk.go.th/ita/"),  # one cell
        row("NOD", "O1", "https://tapladuk.go.th/ita"),  # another agency
        row("TPD", "O2", "https://tapladuk.go.th/index.php?_mod=a"),
        row("TPD", "O3", "https://tapladuk.go.th/index.php?_mod=b"),  # other query, other page
        row("TPD", "O4", "https://tapladuk.go.th/oit#/o4"),
        row("TPD", "O5", "https://tapladuk.go.th/oit#/o5"),  # hash routes are different pages
    ]
    assert reasons_of(rows) == {
        "TPD/O1": [(), ()], "NOD/O1": [()], "TPD/O2": [()], "TPD/O3": [()], "TPD/O4": [()], "TPD/O5": [()],
    }


def test_rules_combine_in_a_stable_order_after_validation_reasons():
    rows = [row("TPD", "O1", "www.example.com"), row("TPD", "O2", "https://example.com/")]
    assert reasons_of(rows) == {
        "TPD/O1": [("missing_scheme", "homepage_only", "off_site", "duplicate_in_agency")],
        "TPD/O2": [("homepage_only", "off_site", "duplicate_in_agency")],
    }


def test_invalid_candidates_are_left_alone_and_inputs_not_mutated():
    text = "javascript:void(0) https://drive.google.com/x"
    before = parse_cell(text)
    (sub,) = assess([row("TPD", "O1", text)], AGENCIES, SETTINGS)
    assert sub.candidates == (Candidate("javascript:void(0)", None, ("bad_scheme",)),
                              Candidate("https://drive.google.com/x", "https://drive.google.com/x", ("off_site",)))
    assert parse_cell(text) == before
    assert before[1].reasons == ()


def test_assess_honours_max_length_from_settings():
    (sub,) = assess([row("TPD", "O1", "https://tapladuk.go.th/o1")], AGENCIES, ValidationSettings(max_length=10))
    assert sub.candidates == (Candidate("https://tapladuk.go.th/o1", None, ("too_long",)),)


def test_a_breadcrumbs_site_alone_says_it_is_a_display_too():
    # when the joined path does not open (Google shows part of it), the site alone is judged, as before:
    # homepage_only alone told the agency it gave the home page, which it did not mean to
    (cell,) = read_cell("https://www.x.go.th › ita › o1", SETTINGS)
    assert [(r.url, r.reasons) for r in cell.readings] == [
        ("https://www.x.go.th/ita/o1", ("breadcrumb_link",)), ("https://www.x.go.th/", ("breadcrumb_link", "homepage_only"))]


def test_a_space_read_away_after_a_slash_says_so_and_the_link_as_typed_does_not():
    """'…/uploads/ O1.pdf' (a PDF's line break copied as a space): the joined reading, checked first,
    warns that the link as typed (what the assessor would be given) is another; as typed, tried
    when the joined one is broken (a name that starts with a space), is judged as it is."""
    (c,) = parse_cell("https://x.go.th/uploads/2023/01/ O1.pdf")
    assert (c.url, c.reasons) == ("https://x.go.th/uploads/2023/01/O1.pdf", ("space_in_path",))
    assert [(a.url, a.reasons) for a in c.alternatives] == [("https://x.go.th/uploads/2023/01/%20O1.pdf", ())]
    (label,) = parse_cell("https://x.go.th/oit/ o1")  # a folder and a word: no space read away
    assert "space_in_path" not in label.reasons and all("space_in_path" not in a.reasons for a in label.alternatives)
