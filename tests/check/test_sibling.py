"""A page's sibling (sheets_sync.check.sibling): the number that picks its content, and only that, replaced."""

from __future__ import annotations

import pytest

from sheets_sync.check.sibling import id_sibling

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
