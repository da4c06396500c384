"""A page's sibling (sheets_sync.check.sibling): the number that picks its content, and only that, replaced."""

from __future__ import annotations

import pytest

from sheets_sync.check.sibling import id_sibling, sibling_of

N = 987654321


@pytest.mark.parametrize("url, sibling", [
    ("http://a.go.th/news.php?id=123", f"http://a.go.th/news.php?id={N}"),
    ("http://a.go.th/news_detail.php?ID=12&lang=th", f"http://a.go.th/news_detail.php?ID={N}&lang=th"),
    ("https://a.go.th/?p=4521", f"https://a.go.th/?p={N}"),  # WordPress without pretty links
    # Joomla: the article's id (with its slug), never the menu's Itemid or the category
    ("http://a.go.th/index.php?option=com_content&view=article&id=45:plan-2566&catid=8&Itemid=101",
     f"http://a.go.th/index.php?option=com_content&view=article&id={N}&catid=8&Itemid=101"),
    ("http://a.go.th/index.php?Itemid=101&id=45", f"http://a.go.th/index.php?Itemid=101&id={N}"),
    ("http://a.go.th/ita.php?cat=3&news_id=77", f"http://a.go.th/ita.php?cat=3&news_id={N}"),
    ("http://a.go.th/show.php?docid=9", f"http://a.go.th/show.php?docid={N}"),
    ("http://a.go.th/news/detail/123", f"http://a.go.th/news/detail/{N}"),
    ("http://a.go.th/news/detail/123/", f"http://a.go.th/news/detail/{N}/"),
    ("http://a.go.th/news/123?lang=th#top", f"http://a.go.th/news/{N}?lang=th"),
    ("http://[::1]:8080/news.php?id=5", f"http://[::1]:8080/news.php?id={N}"),
    # a name and its value as path segments: the id's, not the page number's at the end
    ("https://a.go.th/public/list/data/detail/id/2458/menu/1542/page/1",
     f"https://a.go.th/public/list/data/detail/id/{N}/menu/1542/page/1"),
])
def test_the_number_that_picks_the_content_is_replaced(url, sibling):
    assert id_sibling(url, N) == sibling


@pytest.mark.parametrize("url", [
    "http://a.go.th/ita/o10.html",
    "http://a.go.th/",
    "http://a.go.th/list.php?year=2566",  # a year, not an id
    "http://a.go.th/archive/2566",
    "http://a.go.th/archive/2023/",
    "http://a.go.th/index.php?option=com_content&catid=8&Itemid=101",  # a menu and a category only
    "http://a.go.th/list.php?page=2&cat=5",
    "http://a.go.th/news.php?id=abc",
    "http://a.go.th/news.php?id",
    "http://a.go.th/123",  # the only segment: a site's own page, not an item picked by number
    "http://a.go.th/ข่าว/๑๒๓",
    "not a url",
    "http://[::1/x?id=1",
])
def test_no_sibling_without_such_a_number(url):
    assert id_sibling(url, N) is None


def test_pages_of_one_script_share_one_sibling():
    # One request a run for all the items a script shows; never one for another script.
    scripts = {sibling_of(u, N).script for u in (
        "http://a.go.th/index.php?option=com_content&view=article&id=45&Itemid=101",
        "http://a.go.th/index.php?option=com_content&view=article&id=46:plan&Itemid=102")}
    assert scripts == {"http://a.go.th/index.php?id"}
    assert sibling_of("http://a.go.th/news/detail/12/", N).script == sibling_of("http://a.go.th/news/detail/13", N).script
    pair = "http://a.go.th/public/list/data/detail/id/{}/menu/{}/page/1"
    assert sibling_of(pair.format(1, 7), N).script == sibling_of(pair.format(2, 8), N).script == (
        f"http://a.go.th/public/list/data/detail/id/{N}")
    assert len({sibling_of(u, N).script for u in ("http://a.go.th/news.php?id=1", "http://a.go.th/ita.php?id=1",
                                                   "http://b.go.th/news.php?id=1")}) == 3
