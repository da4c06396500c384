"""A page's sibling: its own address with the number that picks its content replaced. Pure.

The soft-404 probe (a random missing path) shows a site's template around no content, and
`check/template.py` takes that template's dated lines (today's date in the header, "© 2566")
out of an item page. Sites built on query strings (`news.php?id=123`,
`index.php?option=com_content&view=article&id=45&Itemid=101`) and some frameworks
(`/news/detail/123`) answer a random path with the web server's bare 404, so the probe shows no
template, and their header's 2566 passed last year's plan as "ok". The same script asked for an
id that does not exist answers with that template around no content (a 200 with "ไม่พบข่าว",
or the CMS's own 404 page): the sibling the checker asks for instead (`Checker._template_probe`).

Which number: a query parameter named as an id (`id`, `p`, `nid`, `news_id`, ... never Joomla's
menu `Itemid` or a `catid`) whose value starts with digits, else the path's last segment when it
is all digits (or follows a segment named so: `/detail/id/2458/menu/1542`). A number that reads as a year (`?year=2566`) is never one. Whether the site in
fact picks its content by it is not known here: a sibling that shows the page itself is told by the
checker (the page must show a dated line of its own beside it) and then not used.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

# Names that pick the content, in order of trust; any other name ending in "id" comes after them.
_CONTENT_IDS = ("id", "p", "nid", "aid", "no", "newsid", "news_id", "postid", "post_id", "articleid", "article_id",
                "docid", "doc_id", "contentid", "content_id", "page_id", "detail_id")
# Names ending in "id" that pick a menu, a category, a language or a session, never the content.
_NOT_CONTENT = frozenset({"itemid", "catid", "cat_id", "categoryid", "category_id", "menuid", "menu_id", "mid",
                          "langid", "lang_id", "sid", "sessid", "sessionid", "phpsessid", "fbclid", "gclid", "uid",
                          "userid", "user_id", "typeid", "type_id", "groupid", "group_id", "deptid", "dept_id",
                          "orgid", "org_id", "siteid", "site_id", "tid", "fid", "formid"})
_NUMBER = re.compile(r"[0-9]{1,12}(?=$|[:\-_.])")


class Sibling(NamedTuple):
    address: str  # the page's own address with `number` in place of its content's
    script: str  # what answers it: the address up to the query and the parameter's name (one sibling a run each)


def sibling_of(url: str, number: int) -> Sibling | None:
    """`id_sibling`, with the script that answers it: pages of one script share a template, so a
    run asks one sibling for all (a Joomla site's items differ in their menu's Itemid too).

    >>> sibling_of("http://a.go.th/index.php?view=article&id=45&Itemid=101", 9).script
    'http://a.go.th/index.php?id'
    """
    address = id_sibling(url, number)
    if address is None:
        return None
    base, _, query = address.partition("?")
    name = next((f.split("=", 1)[0] for f in query.split("&") if f.endswith(f"={number}")), "") if query else ""
    if name:
        return Sibling(address, f"{base}?{name}")
    return Sibling(address, base[:base.index(f"/{number}") + len(f"/{number}")])  # the number in the path


def id_sibling(url: str, number: int) -> str | None:
    """`url` with the number that picks its content replaced by `number` (anything after the
    number, a slug "45:plan-2566", goes with it); None when the address has no such number.

    >>> id_sibling("http://a.go.th/news.php?id=123&lang=th", 987654321)
    'http://a.go.th/news.php?id=987654321&lang=th'
    >>> id_sibling("http://a.go.th/index.php?option=com_content&view=article&id=45:plan-2566&catid=8&Itemid=101", 9)
    'http://a.go.th/index.php?option=com_content&view=article&id=9&catid=8&Itemid=101'
    >>> id_sibling("http://a.go.th/news/detail/123", 9), id_sibling("http://a.go.th/ita/o10.html", 9)
    ('http://a.go.th/news/detail/9', None)
    >>> id_sibling("http://a.go.th/public/list/data/detail/id/2458/menu/1542/page/1", 9)
    'http://a.go.th/public/list/data/detail/id/9/menu/1542/page/1'

    >>> id_sibling("http://a.go.th/list.php?year=2566&Itemid=3", 9) is None
    True
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.netloc:
        return None
    if parts.query:
        fields = parts.query.split("&")
        at = _content_field(fields)
        if at is not None:
            name = fields[at].split("=", 1)[0]
            fields[at] = f"{name}={number}"
            return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(fields), ""))
    segments = parts.path.split("/")
    # A name and its value as segments (".../detail/id/2458/menu/1542/page/1"), else the last segment.
    at = next((i + 1 for i, name in enumerate(segments[:-1]) if name.lower() in _CONTENT_IDS
               and _path_number(segments[i + 1])), None)
    last = len(segments) - 1 if segments[-1] else len(segments) - 2
    if at is None and last >= 2 and _path_number(segments[last]):
        at = last
    if at is None:
        return None
    segments[at] = str(number)
    return urlunsplit((parts.scheme, parts.netloc, "/".join(segments), parts.query, ""))


def _path_number(segment: str) -> bool:
    return segment.isascii() and segment.isdigit() and len(segment) <= 12 and _not_year(segment)


def _content_field(fields: list[str]) -> int | None:
    """The index of the query field that picks the content, or None."""
    found: dict[str, int] = {}
    for i, field in enumerate(fields):
        name, eq, value = field.partition("=")
        m = _NUMBER.match(value) if eq else None
        if m and _not_year(m.group(0)):
            found.setdefault(name.lower(), i)
    for name in _CONTENT_IDS:
        if name in found:
            return found[name]
    return next((i for name, i in found.items() if name.endswith("id") and name not in _NOT_CONTENT), None)


def _not_year(number: str) -> bool:
    # 1990-2100 and 2530-2650 (Buddhist era) read as a year: "?year=2566", "/archive/2566"
    return not (len(number) == 4 and (1990 <= int(number) <= 2100 or 2530 <= int(number) <= 2650))
