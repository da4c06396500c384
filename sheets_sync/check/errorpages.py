"""Pages that stand where the site should be: a server's error, a hosting provider's page, an
intruder's. Pure.

Small agency sites run old PHP on shared hosting, and two failures there answer 200, not 5xx:
- the site's own program fails and prints why, with PHP's `display_errors` on (the host's
  default on many Thai hosts): "Fatal error: Uncaught Error: Call to undefined function
  mysql_connect()" after a PHP upgrade, "Error establishing a database connection" when the
  database is down, a die("ไม่สามารถเชื่อมต่อฐานข้อมูลได้") of the site's own code;
- the host shows its own page instead of the site: "Account Suspended" when the hosting fee
  is late (often at the turn of the fiscal year), a server's default page ("It works!",
  "Welcome to nginx!") when a site was moved or its http:// host not set up, a registrar's
  "domain for sale" once a .com domain lapsed.
Read as pages, they were "ไม่พบปี 2566" (last year's data?), or, where every path answers so,
"not found: check the link": the agency looked for an old document or a wrong link while the
site itself was down.

A third stands there with no status code of its own either: an intruder's "Hacked by ..."
page over a defaced site's (`defaced`), which was "ไม่พบปี 2566" too. A fourth is the commonest
in Thailand now: a gambling site's page ("สล็อตเว็บตรง แตกง่าย", Indonesian "slot gacor")
where the agency's was (`gambling`), its .com domain lapsed and bought for its search ranking,
or the site broken into and given pages of spam. Such pages name the current year for their
ranking ("สล็อตเว็บตรง 2566"): read as the agency's page, it was "ok".

`error_shown` tells the first (a page that is little but the error is `server_error_page`,
broken; an error inside a page that shows more, such as a widget of its footer failing, is
`error_on_page`, a warning beside its other verdicts); `hosting_page` the second. Only
messages the programs print verbatim count, and PHP's with their "on line N"; wording a page
of its own could use ("เชื่อมต่อฐานข้อมูลไม่ได้" in an IT plan's list of problems) counts only
when it is nearly the page's whole text.
"""

from __future__ import annotations

import re
from typing import Sequence

# Characters of visible text besides the title and the error message at most, for the page to
# be the error (a bare message, or one under a site's name and a short menu).
ERROR_PAGE_REST = 300
# Characters of visible text at most, for a registrar's parking or expiry wording in the text
# (not only in a heading) to make the page theirs: their pages are short, an agency's are not.
PARKED_PAGE = 2000

# Messages programs print verbatim, whatever else the page shows, each behind a substring it
# must contain: a page's text is whitespace-squeezed, and one regex of every alternative, searched
# through a long page, cost ~5 ms of CPU a page (str.find is ~100 times faster).
_PHP_ERROR = re.compile(r"\b(?:PHP )?(?:Fatal|Parse) error ?: .{0,5000}? on line \d+")
_PHP_DB = re.compile(r"\b(?:Warning|Fatal error) ?: ?(?:mysqli?_(?:connect|real_connect|select_db|pconnect)|"
                     r"mysqli::(?:__construct|real_connect)|PDO::__construct)\(\).{0,600}? on line \d+")
_SQLSTATE = re.compile(r"SQLSTATE\[[0-9A-Z]{5}\]")
_ASP = re.compile(r"Server Error in '[^']{0,200}' Application"
                  r"|(?:Microsoft (?:OLE DB Provider for [^']{1,60}|VBScript runtime)|ADODB\.\w+) error '[0-9a-fA-F]{8}'")
_VERBATIM = ("Error establishing a database connection", "There has been a critical error on this website",
             "There has been a critical error on your website", "Application Instantiation Error",
             "Database connection error (")
_WHOOPS = "Whoops, looks like something went wrong"
# Wording that counts only as (nearly) the page's whole text: the site's own die() messages.
_ERROR_ALONE = re.compile(
    r"(?:ไม่สามารถ|ไม่)\s*(?:เชื่อมต่อ|ติดต่อ)\s*(?:กับ\s*)?(?:ระบบ\s*)?ฐานข้อมูล"
    r"|(?:เชื่อมต่อ|ติดต่อ)\s*(?:กับ\s*)?ฐานข้อมูล\s*(?:ไม่ได้|ไม่สำเร็จ|ล้มเหลว|ผิดพลาด)"
    r"|(?:could\s*n[o']t|can\s*n?[o']t|unable\s+to)\s+connect(?:\s+to)?\s+(?:the\s+)?(?:mysql|database|db\b|sql\s+server)"
    r"|\bconnection\s+failed\s*:|\btoo\s+many\s+connections\b|\bno\s+database\s+selected\b", re.I)


def _program_error(text: str) -> int | None:
    """The length of the first program's message found in `text`, or None."""
    if "on line" in text:
        if "Fatal error" in text or "Parse error" in text:
            found = _PHP_ERROR.search(text)
            if found:
                return found.end() - found.start()
        if "()" in text and ("mysql" in text or "PDO::" in text):
            found = _PHP_DB.search(text)
            if found:
                return found.end() - found.start()
    if "rror" in text:  # in every message below but two
        for message in _VERBATIM:
            if message in text:
                return len(message)
        if ("' Application" in text or " error '" in text) and (found := _ASP.search(text)):
            return found.end() - found.start()
    elif _WHOOPS in text:
        return len(_WHOOPS)
    if "SQLSTATE[" in text and (found := _SQLSTATE.search(text)):
        return found.end() - found.start()
    return None


# A hosting provider's or registrar's page, in the title or a top heading.
_HOSTING = re.compile(
    r"\b(?:account|site|website|domain|hosting)\s+(?:has\s+been\s+|is\s+|was\s+)?(?:temporarily\s+)?suspended\b"
    r"|\bsuspended\s+(?:account|site|website|domain)\b"
    r"|(?:เว็บไซต์|บัญชี(?:ผู้ใช้|โฮสติ้ง)?|โดเมน|โฮสติ้ง)(?:นี้)?\s*(?:ได้)?ถูกระงับ"
    r"|^\s*it\s+works!?\s*$|\bwelcome\s+to\s+(?:nginx|openresty|centos|the\s+apache)\b"
    r"|\b(?:apache2?|nginx|ubuntu|debian|centos|httpd|litespeed|openlitespeed|plesk|cpanel|iis)\b.{0,30}\b"
    r"(?:default|test)\s+page\b|\b(?:domain|web\s*server'?s?|site)\s+default\s+page\b|\btest\s+page\s+for\s+the\b"
    r"|^\s*iis\s+windows(?:\s+server)?\s*$|^\s*internet\s+information\s+services\b|future\s+home\s+of\s+something"
    r"|^\s*default\s+(?:web\s+)?(?:site\s+)?page\s*$|\bcongratulations\b.{0,60}\blitespeed\b"
    r"|\bdomain\s+(?:name\s+)?(?:has\s+)?expired\b|\bthis\s+domain\s+(?:name\s+)?(?:is|may\s+be)\s+for\s+sale\b"
    r"|โดเมน.{0,15}หมดอายุ", re.I)
# A defacement: an intruder's page over the site's, "Hacked by <handle>" at the head of its
# title or a top heading (or of a short page's text). Thai agency sites are frequent targets.
_DEFACED = re.compile(r"^\W{0,8}(?:hacked|h[a4]ck[e3]d|defaced|pwned|0wned)\s+by\b", re.I)
_DEFACED_TEXT = re.compile(r"\b(?:hacked|h[a4]ck[e3]d|defaced)\s+by\b", re.I)
# A gambling site's page (`gambling`): a word of the trade in its title or a top heading
# (lowercase; Thai, and the Indonesian of the "slot gacor" spam put on hacked .go.th and .ac.th
# sites), no word of a campaign or a crackdown there, and two of its sales phrases in the text.
_GAMBLING_SIGNS = ("สล็อต", "บาคาร่า", "คาสิโน", "แทงบอล", "พนัน", "หวยออนไลน์", "เว็บตรง", "slot", "casino",
                   "baccarat", "ufabet", "sbobet", "betflik", "pgslot", "togel", "judi", "gacor", "maxwin")
# (not "ห้าม" nor "ภัย": the spam's "ห้ามพลาด", "ปลอดภัย 100%")
_AGAINST_GAMBLING = ("ต่อต้าน", "ปราบปราม", "จับกุม", "ทลาย", "กวาดล้าง", "รณรงค์", "ป้องกัน", "แจ้งเตือน", "เบาะแส",
                     "ตำรวจ", "ยาเสพติด", "อบายมุข")
_GAMBLING_SALES = ("เว็บตรง", "แตกง่าย", "แตกหนัก", "ฝากถอน", "ฝาก-ถอน", "ไม่ผ่านเอเย่นต์", "เครดิตฟรี", "ทดลองเล่น",
                   "ไม่มีขั้นต่ำ", "สมัครสมาชิก", "โบนัส", "ยูสใหม่", "ถอนได้จริง", "แจกเครดิต", "true wallet",
                   "ทรูวอลเล็ท", "daftar", "deposit", "maxwin", "gacor", "rtp live", "link alternatif", "free credit")
# Substrings (lowercase) one of the patterns' matches holds, looked for before the pattern is searched.
_HOSTING_SIGNS = ("suspend", "ระงับ", "it works", "welcome to", "default", "test page", "iis", "internet information",
                  "future home", "litespeed", "expired", "for sale", "หมดอายุ")
_DEFACED_SIGNS = ("hack", "h4ck", "defaced", "pwned", "0wned")
# ... and in a page's text, which is not lowercased (~10 us for a short Thai page): each sign
# without its first letter, in lower and upper case.
_PARKED_TEXT_SIGNS = ("omain", "OMAIN", "uspended", "USPENDED", "หมดอายุ")
_DEFACED_TEXT_SIGNS = ("acked", "ACKED", "4ck", "4CK", "efaced", "EFACED")
# A registrar's parking or expiry page, in its text.
# A web server's status page by its title or heading, whole: the status number (IIS adds a
# sub-status, "403.14") and the reason phrase, either alone or both.
_STATUS_PREFIX = r"(?:(?:http\s+)?error\s*|http\s+)?"
_FORBIDDEN = re.compile(_STATUS_PREFIX + r"(?:(?P<code>403(?:\.\d+)?)(?:\s*[-–:]?\s*(?:forbidden"
                        r"(?:\s*[-–:]\s*access\s+is\s+denied)?|access\s+denied))?"
                        r"|forbidden|access\s+(?:is\s+)?(?:denied|forbidden)|directory\s+listing\s+denied)")
_SERVER_FAILED = re.compile(_STATUS_PREFIX + r"(?:(?P<code>50[0234](?:\.\d+)?)(?:\s*[-–:]?\s*(?:internal\s+server"
                            r"\s+error|bad\s+gateway|service\s+(?:temporarily\s+)?unavailable|gateway\s+time-?\s*out|"
                            r"server\s+error))?|internal\s+server\s+error|bad\s+gateway|"
                            r"service\s+(?:temporarily\s+)?unavailable|gateway\s+time-?\s*out)")
# A program's own words for its failure, only as a short page's head (never with a status number).
_FAILED_WORDS = re.compile(r"(?:ขออภัย\s*)?(?:เกิด|พบ)\s*ข้อผิดพลาด(?:ขึ้น)?(?:\s*(?:ของ|ใน|ภายใน)?\s*ระบบ)?"
                           r"|(?:sorry,?\s*)?an?\s+error\s+(?:has\s+)?occurr?ed|(?:system\s+)?error")
_STATUS_TRIM = " \t!.:-–—•·*"
# Every match of the three patterns holds one of these (lower case).
_STATUS_SIGNS = ("40", "50", "forbidden", "denied", "error", "unavailable", "gateway", "ข้อผิดพลาด")
_TITLE_PARTS = re.compile(r"\s[|–—»]\s|\s::\s")
_PARKED = re.compile(
    r"\bthis\s+domain\s+(?:name\s+)?(?:is|may\s+be|has\s+been)\s+(?:for\s+sale|parked|registered|expired)\b"
    r"|\bbuy\s+this\s+domain\b|\bparked\s+(?:free|domain)\b|\bdomain\s+(?:name\s+)?(?:has\s+)?expired\b"
    r"|\bthis\s+(?:account|site|website)\s+has\s+been\s+suspended\b"
    r"|โดเมน(?:เนม)?(?:นี้)?.{0,10}หมดอายุ", re.I)


def error_shown(text: str, title: str = "") -> str | None:
    """`server_error_page` when a page's visible `text` (its `title` part of it) is a server's
    error message and little else, `error_on_page` when it shows one among more, else None.

    >>> error_shown("Fatal error: Uncaught Error: Call to undefined function mysql_connect() in "
    ...             "/home/lee/public_html/news.php:12 Stack trace: #0 {main} thrown in "
    ...             "/home/lee/public_html/news.php on line 12")
    'server_error_page'
    >>> error_shown("Deprecated: mysql_connect(): The mysql extension is deprecated and will be removed in "
    ...             "the future: use mysqli or PDO instead in /home/lee/public_html/db.php on line 5 "
    ...             "แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2566") is None
    True
    """
    rest = len(text) - len(title)
    length = _program_error(text)
    if length is not None:
        return "server_error_page" if rest - length <= ERROR_PAGE_REST else "error_on_page"
    # (a die() message is short: only a short page is searched for one)
    alone = _ERROR_ALONE.search(text) if rest <= ERROR_PAGE_REST + 200 else None
    return "server_error_page" if alone and rest - (alone.end() - alone.start()) <= ERROR_PAGE_REST else None


def status_page(text: str, title: str = "", headings: Sequence[str] = (), words: bool = True) -> str | None:
    """The reason code for a web server's own error page sent with 200 (an `ErrorDocument` or a
    proxy's error page served by a script that does not set the status, a CDN's page cached as
    200): `bot_blocked` for a 403's ("403 Forbidden", IIS's "403 - Forbidden: Access is
    denied.", "Access Denied"), `server_error_page` for a 5xx's ("500 Internal Server Error",
    "502 Bad Gateway", "Service Unavailable"); else None. Read by its year, such a page was
    "ไม่พบปี 2566" (fix the year) while the browser shows the server's error. A 403's is taken as
    a 403 status is (classify.REFUSALS): asked again as a browser, and a look by hand when that is
    refused too, since a firewall may refuse this machine alone.

    Told by the whole title (or one part of it between "|" signs) or a whole top heading; one
    without both a status number and words counts only on a short page (a long one's heading
    "500" is more likely a count). With `words`, a program's own words for its failure heading a
    short page ("เกิดข้อผิดพลาด", "An error has occurred") are a 5xx's too; a link that promised a
    file is told otherwise (content.examine: `wrong_type`).

    >>> status_page("403 Forbidden 403 Forbidden nginx", "403 Forbidden", ("403 Forbidden",))
    'bot_blocked'
    >>> status_page("Service Unavailable The server is temporarily unable to service your request.",
    ...             "503 Service Unavailable")
    'server_error_page'
    >>> status_page("ข่าวประชาสัมพันธ์ " * 50, "ปิดปรับปรุงระบบ Access Denied ชั่วคราว") is None
    True
    """
    lowered = _heads(title, headings)
    if not _holds("\n".join(lowered), _STATUS_SIGNS):
        return None  # nearly every page: a few finds in its title and headings
    heads = [part.strip(_STATUS_TRIM) for h in lowered for part in (h, *_TITLE_PARTS.split(h))]
    # (an error page that says what was not found is the link's: content.not_found_heading, placeholder.notice)
    short = len(text) - len(title) <= ERROR_PAGE_REST and "ไม่พบ" not in text and "not found" not in text.lower()
    patterns = [("bot_blocked", _FORBIDDEN), ("server_error_page", _SERVER_FAILED)]
    for code, pattern in patterns + ([("server_error_page", _FAILED_WORDS)] if words else []):
        for head in heads:
            m = pattern.fullmatch(head) if head else None
            number = m.groupdict().get("code") if m else None
            if m and (short or (number and number != head)):
                return code
    return None


def hosting_page(text: str, title: str = "", headings: Sequence[str] = ()) -> bool:
    """Whether the page is a hosting provider's or registrar's, not the site's: an account
    suspended, a web server's default page, a domain parked or expired. Told by its title or a
    top heading, or for a short page by a registrar's wording in its text.

    >>> hosting_page("Account Suspended This Account has been suspended. Contact your hosting provider.",
    ...              "Account Suspended")
    True
    >>> hosting_page("ประกาศ ระงับการใช้น้ำประปาชั่วคราว ประจำปี 2566", "ประกาศ ระงับการใช้น้ำประปาชั่วคราว")
    False
    """
    heads = _heads(title, headings)
    if _holds("\n".join(heads), _HOSTING_SIGNS) and any(_HOSTING.search(h) for h in heads):
        return True
    return _short_and(text, _PARKED_TEXT_SIGNS) and _PARKED.search(text) is not None


def defaced(text: str, title: str = "", headings: Sequence[str] = ()) -> bool:
    """Whether the page is an intruder's ("Hacked by ..."), not the site's: told by the head of
    its title or a top heading, or for a short page by its text.

    >>> defaced("Hacked By Mr.X Greetz: all my friends", "~ Hacked By Mr.X ~")
    True
    >>> defaced("ข่าวประชาสัมพันธ์ แนวทางป้องกันเว็บไซต์ถูกโจมตี " * 60, "ข่าว: เว็บไซต์หน่วยงานรัฐถูก hacked by กลุ่มแฮกเกอร์")
    False
    """
    heads = _heads(title, headings, 1000)
    if _holds("\n".join(heads), _DEFACED_SIGNS) and any(_DEFACED.search(h) for h in heads):
        return True
    return _short_and(text, _DEFACED_TEXT_SIGNS) and _DEFACED_TEXT.search(text) is not None


def gambling(text: str, title: str = "", headings: Sequence[str] = ()) -> bool:
    """Whether the page is a gambling site's: a gambling word in its title or a top heading,
    and at least two of such sites' sales phrases in its text. The agency's own news of a
    crackdown or a campaign against gambling has the words, not the sales, and says what it is
    about in its heading.

    >>> gambling("สล็อตเว็บตรง แตกง่าย ฝากถอนไม่มีขั้นต่ำ เครดิตฟรี", "สล็อตเว็บตรง 2566 แตกง่าย")
    True
    >>> gambling("ตำรวจไซเบอร์ทลายเว็บพนันออนไลน์ อ้างเป็นเว็บตรง ฝากถอนไม่มีขั้นต่ำ",
    ...          "ตำรวจไซเบอร์ทลายเว็บพนัน สล็อต บาคาร่า")
    False
    """
    heads = "\n".join(_heads(title, headings, 300))
    if not _holds(heads, _GAMBLING_SIGNS) or _holds(heads, _AGAINST_GAMBLING):
        return False
    text = text[:50_000].lower()  # reached by a gambling word in the head only: rare, and a spam page's text is short
    return sum(phrase in text for phrase in _GAMBLING_SALES) >= 2


def _heads(title: str, headings: Sequence[str], longest: int = 120) -> list[str]:
    """The title and top headings up to `longest` characters, lowercased for the signs below."""
    return [t.lower() for t in (title, *headings) if t and len(t) <= longest]


def _short_and(text: str, signs: Sequence[str]) -> bool:
    """`text` is a short page's and holds one of `signs`: a page of an agency's is not searched
    with a regex of many alternatives (~0.2 ms a short page) for a host's wording."""
    return len(text) <= PARKED_PAGE and _holds(text, signs)


def _holds(text: str, signs: Sequence[str]) -> bool:
    return any(sign in text for sign in signs)
