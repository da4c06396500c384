"""Lists a page's scripts fill in after it opens (AJAX): not read here, never "no 2566". Pure.

An item page whose table of documents a script fetches as the page opens (DataTables given an
`ajax` source, jQuery's `$.get` or `.load`, `fetch`) is sent with that table empty: the
documents and their years reach the browser, not the checker. Read as sent, it showed no year,
and the agency was told "ไม่พบปี 2566" of a list that shows it. Such a page, when its own text
shows no year at all, is `script_page` (a look in a browser, as for a single-page
application's shell), never a year verdict.

Told by two signs together, each common alone (a visitor counter's `$.get`, an empty table the
CMS left): a place left empty (a table body without rows, or with one short row such as
"กำลังโหลด...", a table with a head and no body, an element saying "loading"), whose element's
id a script on the page names while asking for data.
"""

from __future__ import annotations

import re

# A script that asks the server for data as the page opens (looked for in the page as sent: the
# markup a page is read from has its scripts taken out).
_ASKS = re.compile(rb"\bajax\s*[:(]|\$\.(?:get|getJSON|post)\s*\(|\.load\s*\(\s*[\"']|\bfetch\s*\(|\baxios\b|"
                   rb"\bXMLHttpRequest\b|\bserverSide\s*:", re.I)
_SCRIPT = re.compile(rb"<script\b[^<>]*>([^<]*(?:<(?!/script)[^<]*)*)", re.I)
# An empty place and the start tag it belongs to: a table whose body has no row (or one row of a
# short placeholder), or whose head is followed by its end; an element whose whole text says loading.
_EMPTY = re.compile(r"<table\b([^<>]*)>\s*(?:<caption\b[^<>]*>[^<>]*</caption\s*>\s*)?"
                    r"(?:<thead\b[^<>]*>[^<]*(?:<(?!/thead|/?table)[^<]*)*</thead\s*>\s*)?"
                    r"(?:<tbody\b[^<>]*>\s*(?:<tr\b[^<>]*>\s*<td\b[^<>]*>[^<>]{0,60}</td\s*>\s*</tr\s*>\s*)?</tbody\s*>\s*)?"
                    r"</table\s*>"
                    r"|<(?:div|ul|ol|section|span)\b([^<>]*)>\s*(?:กำลังโหลด|loading)[^<>]{0,20}</", re.I)
_ID = re.compile(r"""\bid\s*=\s*["']?([\w-]+)""", re.I)


def filled_by_script(raw_html: str, body: bytes) -> bool:
    """Whether the page (`raw_html`: its markup as `content.Page` keeps it; `body`: as sent, its
    scripts in it) leaves a place empty that a script asking for data fills: a table (or a
    "loading" element) whose id a script that fetches data names.

    >>> table = '<table id="docs"><thead><tr><th>เอกสาร</th></tr></thead><tbody></tbody></table>'
    >>> filled_by_script(table, table.encode() + b'<script>$("#docs").DataTable({ajax: "/api/ita"});</script>')
    True
    >>> filled_by_script(table, table.encode() + b'<script>$.get("/counter")</script>')
    False
    """
    if b"<script" not in body and b"<SCRIPT" not in body or not _ASKS.search(body):
        return False
    asking = [s.decode("utf-8", "replace") for s in _SCRIPT.findall(body) if _ASKS.search(s)]
    if not asking:
        return False
    for m in _EMPTY.finditer(raw_html):
        found = _ID.search(m.group(1) or m.group(2) or "")
        if found and any(re.search(rf"(?<![\w-]){re.escape(found.group(1))}(?![\w-])", s) for s in asking):
            return True
    return False
