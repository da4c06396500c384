"""Loading and validating config/: settings.yaml, oit_items.yaml, agencies.yaml.

Everything becomes one frozen `Config`. Every mistake is a ConfigError whose message is one
line naming the file and the key, e.g. ``config/settings.yaml: checker.per_hots: unknown key``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from sheets_sync.core import normalize
from sheets_sync.core.errors import ConfigError
from sheets_sync.core.normalize import parse_resolve  # the parser --resolve uses
from sheets_sync.core.thai import BE_OFFSET

DEFAULT_SETTINGS = Path("config/settings.yaml")


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so an impossible date (2023-02-30) reaches our
    own parser and becomes a clear ConfigError instead of a crash inside PyYAML, and refuses a
    key given twice in one mapping: YAML lets the later one win without a word, and a `notify:`
    block pasted above the shipped one (enabled) was silently turned off by it."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} given twice (first on line {seen[key] + 1})", key_node.start_mark)
            if isinstance(key, str):
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# ---------------------------------------------------------------- settings sections
@dataclass(frozen=True)
class BackendSettings:
    kind: str = "xlsx"  # xlsx | gsheets | memory
    xlsx_path: str = "data/oit-{year}.xlsx"  # {year}: the catalogue's year, so each year gets its own workbook
    spreadsheet: str = ""  # Google Sheets id or URL
    credentials: str = "credentials.json"
    api_endpoint: str = "https://sheets.googleapis.com"
    coordinators: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckerSettings:
    concurrency: int = 32
    per_host: int = 4
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    total_timeout_s: float = 30.0
    stage_timeout_s: float = 600.0  # the whole check stage of one run; URLs not done by then wait for the next
    max_redirects: int = 10
    max_body_bytes: int = 5_000_000  # of a page, or of a file whose content is not read
    max_document_bytes: int = 40_000_000  # of a PDF, whose years are read; over it: too_large
    retries: int = 2
    backoff_s: float = 0.5
    retry_after_cap_s: float = 30.0
    # {year}: the catalogue's; {province}: province.name_en
    user_agent: str = "sheets-sync/0.1 (ITA {year} OIT link review, {province} province)"
    verify_tls: bool = True
    resolve: tuple[str, ...] = ()  # HOST:ADDR, like curl --resolve; for tests and demos
    allow_private: tuple[str, ...] = ()  # CIDRs the SSRF guard lets through
    contact_url: str = ""  # added to the User-Agent so site admins can reach the province team
    browser_user_agent: str = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                               "(KHTML, like Gecko) Chrome/124.0 Safari/537.36")  # retried once after a 403
    min_host_interval_s: float = 0.0  # least time between two requests to one host
    pdf_pages: int = 5  # pages of a PDF searched for the fiscal year
    soft404_probe: bool = True  # ask each site once per run for a random missing path
    cache_ttl_hours: float = 6.0  # an ok URL is re-checked (conditionally) after this
    # A URL that opened at its last check and now gets no answer is "unknown" until it has stayed
    # down this long (over two runs at least), then "broken" (check/outages.py); 0: at once.
    outage_confirm_minutes: float = 20.0
    canary_urls: tuple[str, ...] = ()  # public URLs that tell whether the worker itself is online


@dataclass(frozen=True)
class ValidationSettings:
    max_length: int = 2000
    # Hosts that are never "off site" for the items listed in social_items (O9 Social Network).
    # (lin.ee, fb.me and m.me are the platforms' own short addresses: LINE OA Manager gives an
    # official account's "add friend" link as lin.ee/…, which is no shortener's guess for O9;
    # m.me/<page> is the page's Messenger chat)
    platform_hosts: tuple[str, ...] = ("facebook.com", "fb.com", "fb.me", "m.me", "youtube.com", "youtu.be", "line.me",
                                       "lin.ee", "tiktok.com", "instagram.com", "twitter.com", "x.com")
    social_items: tuple[str, ...] = ("O9",)
    # Link shorteners: where such a link leads is only known by following it, so it is `short_link`
    # (use the page's own address), never an `off_site` that may be false.
    shortener_hosts: tuple[str, ...] = ("bit.ly", "tinyurl.com", "cutt.ly", "shorturl.at", "shorturl.asia", "rb.gy",
                                        "is.gd", "t.ly", "ow.ly", "s.id", "rebrand.ly", "tiny.cc", "t.co", "lin.ee")


@dataclass(frozen=True)
class ScheduleSettings:
    every_minutes: int = 30
    near_deadline_every_minutes: int = 10
    near_deadline_days: int = 3
    quiet_hours: str = ""  # e.g. "22:00-06:00", empty for none
    watch_seconds: int = 60  # between full syncs, changed URLs are checked this often; 0: no watch


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server reminders go through. The password is never in this file: it is read at
    send time from the environment variable `password_env` or the owner-only file `password_file`."""

    host: str = ""
    port: int = 587
    security: str = "starttls"  # starttls (port 587) | tls (implicit TLS, port 465) | none (tests only)
    user: str = ""  # empty: no login
    password_env: str = ""  # e.g. SHEETS_SYNC_SMTP_PASSWORD
    password_file: str = ""  # e.g. /etc/sheets-sync/smtp-password, mode 0600 or 0400, owned by the service
    from_address: str = ""
    from_name: str = ""
    reply_to: str = ""
    timeout_s: float = 30.0
    verify_tls: bool = True
    ca_file: str = ""  # a private CA for the mail server's certificate, when the system's store lacks it


@dataclass(frozen=True)
class NotifySettings:
    """Reminders by e-mail (sheets_sync/notify): when, to whom, through which server."""

    enabled: bool = False  # the worker sends reminders after its runs; `sheets-sync remind` works either way
    days_before: tuple[int, ...] = (7, 3, 1)  # agency digests this many days before each deadline
    after_deadline: bool = True  # and the morning after a deadline, to agencies that missed it
    send_at: str = "08:00"  # local time of day from which the day's reminders go out
    coordinators: tuple[str, ...] = ()  # addresses of the coordinators' daily digest during the rounds
    sheet_url: str = ""  # the link in the e-mails; {agency} becomes the agency code; empty: the Google Sheet
    max_attempts: int = 3  # a message the server refused is retried in later runs of the same day, up to this
    smtp: SmtpSettings = field(default_factory=SmtpSettings)


@dataclass(frozen=True)
class Province:
    """The province whose agencies are assessed: its Thai name (in every title, the instructions tab
    and the e-mails: "จังหวัด" + name_th), its English name (the checker's user agent), its districts
    in the province's own order (the summary's district table keeps it) and misspellings of them
    read as the official name (after the อ./อำเภอ prefix is taken off). settings.yaml's `province:`;
    left out, Lamphun (LAMPHUN)."""

    name_th: str
    name_en: str
    districts: tuple[str, ...]
    district_aliases: tuple[tuple[str, str], ...] = ()  # (as typed, official)

    @property
    def title(self) -> str:
        """How the province is named in Thai titles: จังหวัดลำพูน."""
        return f"จังหวัด{self.name_th}"

    def district(self, text: str) -> str:
        """The official spelling of a district typed in a file or a cell (trimmed, no อ./อำเภอ,
        the province's aliases applied); not checked against `districts`."""
        return normalize.district(text, dict(self.district_aliases))

    def has_district(self, name: str) -> bool:
        return name in self.districts


# Lamphun's data (core/normalize.py keeps its districts and the seed's misspelling บ้านโฮ้ง).
LAMPHUN = Province(name_th="ลำพูน", name_en="Lamphun", districts=normalize.LAMPHUN_DISTRICTS,
                   district_aliases=tuple(normalize.LAMPHUN_DISTRICT_ALIASES.items()))
PROVINCE_KEYS = ("name_th", "name_en", "districts", "district_aliases")


@dataclass(frozen=True)
class Settings:
    backend: BackendSettings = field(default_factory=BackendSettings)
    checker: CheckerSettings = field(default_factory=CheckerSettings)
    validation: ValidationSettings = field(default_factory=ValidationSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    province: Province = LAMPHUN
    timezone: str = "Asia/Bangkok"
    items_file: str = "oit_items.yaml"
    agencies_file: str = "agencies.yaml"
    state_path: str = "data/state-{year}.sqlite"  # one state file per year: last year's stays readable
    expected_agencies: int = 59
    target_agencies: int = 50
    thai_digits: bool = False  # Thai digits (๑๒๓) in the summary's text, the snapshots and the report

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# ---------------------------------------------------------------- catalogue
PERIODS = ("", "first_half")


@dataclass(frozen=True)
class Round:
    number: int
    deadline: date


@dataclass(frozen=True)
class YearRule:
    """Which years a page for an item may show: Buddhist-era years, resolved from the catalogue's
    `previous`/`current` words. No years: the item has no year clause (never warned for a year).
    `first_half`: the first six months of the fiscal year (October of the previous year to March):
    a page fits when it shows the current year, or the previous one without the year before it
    and not named as a fiscal year ("ปีงบประมาณ 2565" is October 2564 to September 2565: last
    year's half) (check/years.first_half)."""

    years: tuple[int, ...] = ()
    period: str = ""

    @property
    def checked(self) -> bool:
        return bool(self.years)


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    indicator: str
    round: int
    year_rule: YearRule = YearRule()

    @property
    def number(self) -> int:
        return int(self.code[1:])


@dataclass(frozen=True)
class Contacts:
    """How agencies reach the province's team, as the instructions tab shows it."""

    line_open_chat: str = ""
    phones: tuple[str, ...] = ()
    other: tuple[str, ...] = ()  # further lines, shown as they are


def published_score(score: float | None) -> float | None:
    """Last year's score as ITA publishes it: two decimals, further digits dropped, never rounded up.
    84.995 is 84.99, below the pass mark of 85, everywhere: it was shown as "85.00" beside
    "ไม่ผ่าน 2565". Read once, when an agency is made (sheet, agencies.yaml or history alike).

    >>> published_score(84.995), published_score(85), published_score(None)
    (84.99, 85.0, None)
    """
    if score is None or not math.isfinite(score):
        return score
    return float(Decimal(str(score)).quantize(Decimal("0.01"), rounding=ROUND_DOWN))


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    district: str = ""
    type: str = ""
    domains: tuple[str, ...] = ()
    # Last year's ITA result (the year before the catalogue's). The names keep the year they were
    # introduced with (other modules read them); agencies.yaml also accepts last_score/last_grade.
    score_2565: float | None = None
    grade_2565: str = ""
    reminder_emails: tuple[str, ...] = ()  # where reminders go (the หน่วยงาน tab's own column)
    view_link: str = ""  # the agency's own filter view of the sheet (written by init on Google Sheets)
    # Non-empty: what coordinators must still confirm about this agency (the source is of medium or
    # low confidence). Shown in the agencies tab and counted in the summary, never silently trusted.
    confirm: str = ""

    def __post_init__(self) -> None:
        # Domains are compared normalised (no scheme, no www., punycode) wherever an agency
        # comes from (agencies.yaml, the agencies tab, a test): done once, here.
        object.__setattr__(self, "domains", tuple(normalize_domain(d) for d in self.domains))
        object.__setattr__(self, "reminder_emails", split_emails(self.reminder_emails))
        object.__setattr__(self, "score_2565", published_score(self.score_2565))

    @property
    def failed_2565(self) -> bool:
        """Failed last year's assessment (below 85 points)."""
        return self.score_2565 is not None and self.score_2565 < 85

    @property
    def last_score(self) -> float | None:
        return self.score_2565

    @property
    def failed_last(self) -> bool:
        return self.failed_2565


@dataclass(frozen=True)
class Catalog:
    year: int  # Buddhist era, e.g. 2566
    rounds: tuple[Round, ...]
    items: tuple[Item, ...]
    followup_meeting: date | None = None
    contacts: Contacts = Contacts()
    # settings.yaml's province, carried with the catalogue in force to everything that writes for
    # it (backends, summary, report, e-mails); load_config sets it.
    province: Province = LAMPHUN

    @property
    def previous_year(self) -> int:
        return self.year - 1

    def round(self, number: int) -> Round:
        return next(r for r in self.rounds if r.number == number)

    def item(self, code: str) -> Item | None:
        return self._by_code.get(code)

    def year_rule(self, code: str) -> YearRule:
        """The year rule of an item; an unknown item gets the current year alone."""
        item = self.item(code)
        return item.year_rule if item is not None else YearRule((self.year,))

    @cached_property  # asked for every row of the sheet; the catalogue never changes
    def _by_code(self) -> dict[str, Item]:
        return {i.code: i for i in self.items}


@dataclass(frozen=True)
class Config:
    settings: Settings
    catalog: Catalog
    agencies: tuple[Agency, ...]
    settings_path: Path

    def with_settings(self, **changes) -> "Config":
        return dataclasses.replace(self, settings=dataclasses.replace(self.settings, **changes))


# ---------------------------------------------------------------- loading
def load_config(path: str | os.PathLike | None = None) -> Config:
    """Loads settings.yaml and the files it names. Raises ConfigError with one clear line."""
    settings_path = Path(path) if path else DEFAULT_SETTINGS
    raw = _read_yaml(settings_path)
    settings = _build(Settings, raw, str(settings_path), "")
    try:
        settings.tz
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{settings_path}: timezone: unknown time zone {settings.timezone!r}") from None
    _check_settings(settings, str(settings_path))
    base = settings_path.parent
    catalog = dataclasses.replace(load_catalog(base / settings.items_file), province=settings.province)
    agencies = load_agencies(base / settings.agencies_file, settings.province)
    return Config(settings=for_year(settings, catalog.year), catalog=catalog, agencies=agencies,
                  settings_path=settings_path)


def for_year(settings: Settings, year: int | None) -> Settings:
    """`{year}` in the workbook name, the state file and the user agent becomes the catalogue's
    year: a new catalogue gets its own workbook and state, and the previous year's stay as they were.
    No year (no catalogue, e.g. `check` outside a deployment): the placeholder is left out.
    `{province}` in the user agent becomes the province's English name."""
    def fill(text: str) -> str:
        return text.replace("{year}", str(year)) if year is not None else text.replace(" {year}", "").replace("{year}", "")

    agent = fill(settings.checker.user_agent).replace("{province}", settings.province.name_en)
    return dataclasses.replace(
        settings, state_path=fill(settings.state_path),
        backend=dataclasses.replace(settings.backend, xlsx_path=fill(settings.backend.xlsx_path)),
        checker=dataclasses.replace(settings.checker, user_agent=agent))


ITEM_KEYS = {"code", "title", "indicator", "round", "years", "period"}


def load_catalog(path: Path) -> Catalog:
    raw = _read_yaml(path)
    where = str(path)
    _no_unknown(raw, {"year", "rounds", "items", "followup_meeting", "contacts"}, where, "")
    year = _int(raw, "year", where, "")
    if not 2400 < year < 2700:
        raise ConfigError(f"{where}: year: write the Buddhist-era year of the assessment (e.g. 2566), not {year}")
    rounds = []
    for i, r in enumerate(_list(raw, "rounds", where)):
        key = f"rounds[{i}]"
        _no_unknown(r, {"number", "deadline"}, where, key)
        rounds.append(Round(number=_int(r, "number", where, key), deadline=_date(r.get("deadline"), where, f"{key}.deadline")))
    numbers = [r.number for r in rounds]
    if len(set(numbers)) != len(numbers):
        raise ConfigError(f"{where}: rounds: duplicate round number")
    # The assessment of year Y runs in its fiscal year (1 Oct Y-1 to 30 Sep Y). A new year's file
    # copied from last year's with only `year` changed ran with last year's deadlines, "1,402 days
    # overdue", and wrote three round snapshots that are never rewritten.
    first, last = date(year - BE_OFFSET - 1, 10, 1), date(year - BE_OFFSET, 9, 30)
    for i, r in enumerate(rounds):
        if not first <= r.deadline <= last:
            raise ConfigError(f"{where}: rounds[{i}].deadline: {r.deadline.isoformat()} is not in the fiscal year "
                              f"{year} of the assessment ({first.isoformat()} to {last.isoformat()}); "
                              f"was the file copied from another year's?")
    items: list[Item] = []
    seen: set[str] = set()
    for i, it in enumerate(_list(raw, "items", where)):
        key = f"items[{i}]"
        _no_unknown(it, ITEM_KEYS, where, key)
        code = normalize.item_code(it.get("code"))
        if code is None:
            raise ConfigError(f"{where}: {key}.code: not an item code: {it.get('code')!r}")
        if code in seen:
            raise ConfigError(f"{where}: {key}.code: duplicate item code {code}")
        seen.add(code)
        if it.get("round") is None:
            raise ConfigError(f"{where}: {key}.round: item {code} has no round")
        rnd = _int(it, "round", where, key)
        if rnd not in numbers:
            raise ConfigError(f"{where}: {key}.round: item {code} names round {rnd}, which is not under rounds")
        title = _str(it, "title", where, key, required=True)
        items.append(Item(code=code, title=title, indicator=_str(it, "indicator", where, key), round=rnd,
                          year_rule=_year_rule(it, year, where, key)))
    if not items:
        raise ConfigError(f"{where}: items: no items")
    items.sort(key=lambda x: x.number)
    by_number = sorted(rounds, key=lambda r: r.number)
    for i, r in enumerate(rounds):
        if not any(it.round == r.number for it in items):  # the summary showed "รอบที่ 3 ... 0 | 0 | 0"
            raise ConfigError(f"{where}: rounds[{i}]: round {r.number} has no items; give items that round or remove it")
    for earlier, later in zip(by_number, by_number[1:]):  # a later round due first: its bar counted before round 1's
        if later.deadline <= earlier.deadline:
            raise ConfigError(f"{where}: rounds: round {later.number}'s deadline {later.deadline.isoformat()} is not "
                              f"after round {earlier.number}'s {earlier.deadline.isoformat()}")
    followup = raw.get("followup_meeting")
    meeting = _date(followup, where, "followup_meeting") if followup is not None else None
    if meeting is not None and not first <= meeting <= last:  # last year's date: the report's line vanished
        raise ConfigError(f"{where}: followup_meeting: {meeting.isoformat()} is not in the fiscal year {year} of the "
                          f"assessment ({first.isoformat()} to {last.isoformat()}); was the file copied from "
                          f"another year's?")
    return Catalog(
        year=year,
        rounds=tuple(sorted(rounds, key=lambda r: r.number)),
        items=tuple(items),
        followup_meeting=meeting,
        contacts=_contacts(raw.get("contacts"), where),
    )


_YEAR_WORDS = {"current": 0, "previous": -1, "next": 1}


def _year_rule(item: dict, year: int, where: str, key: str) -> YearRule:
    """`years:` current (the default) | previous | none | a list of them or of Buddhist-era years;
    `period: first_half` (October of the previous year to March; see check/years.first_half)."""
    period = _str(item, "period", where, key)
    if period not in PERIODS:
        raise ConfigError(f"{where}: {key}.period: must be first_half or left out, not {period!r}")
    value = item.get("years", "current" if not period else ["previous", "current"])
    if value is None or value == "none" or value == []:
        if period:
            raise ConfigError(f"{where}: {key}.period: an item without years has no period")
        return YearRule()
    values = value if isinstance(value, list) else [value]
    years: list[int] = []
    for v in values:
        if isinstance(v, str) and v.strip() in _YEAR_WORDS:
            years.append(year + _YEAR_WORDS[v.strip()])
        elif isinstance(v, int) and not isinstance(v, bool) and 2400 < v < 2700:
            years.append(v)
        else:
            raise ConfigError(f"{where}: {key}.years: {v!r} is not current, previous, none or a Buddhist-era year")
    if period == "first_half" and not {year - 1, year} <= set(years):
        raise ConfigError(f"{where}: {key}.years: a first_half item must accept the previous and the current year")
    return YearRule(years=tuple(sorted(set(years))), period=period)


def _contacts(raw: Any, where: str) -> Contacts:
    if raw is None:
        return Contacts()
    _no_unknown(raw, {"line_open_chat", "phones", "other"}, where, "contacts")
    line = _str(raw, "line_open_chat", where, "contacts")
    lists = {}
    for name in ("phones", "other"):
        value = raw.get(name) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ConfigError(f"{where}: contacts.{name}: expected a list")
        lists[name] = tuple(str(v).strip() for v in value if str(v).strip())
    return Contacts(line_open_chat=line, **lists)


AGENCY_KEYS = {"code", "name", "district", "type", "domains", "score_2565", "grade_2565", "last_score",
               "last_grade", "confirm", "reminder_emails"}


def load_agencies(path: Path, province: Province = LAMPHUN) -> tuple[Agency, ...]:
    raw = _read_yaml(path)
    where = str(path)
    _no_unknown(raw, {"agencies"}, where, "")
    out: list[Agency] = []
    seen: set[str] = set()
    for i, a in enumerate(_list(raw, "agencies", where)):
        key = f"agencies[{i}]"
        _no_unknown(a, AGENCY_KEYS, where, key)
        code = _str(a, "code", where, key, required=True)
        if code in seen:
            raise ConfigError(f"{where}: {key}.code: duplicate agency code {code}")
        seen.add(code)
        domains = a.get("domains") or []
        if isinstance(domains, str):
            domains = [domains]
        score_key = "last_score" if "last_score" in a else "score_2565"
        score = a.get(score_key)
        if score is not None and not isinstance(score, (int, float)):
            raise ConfigError(f"{where}: {key}.{score_key}: not a number: {score!r}")
        emails = a.get("reminder_emails") or []
        if not isinstance(emails, (str, list)):
            raise ConfigError(f"{where}: {key}.reminder_emails: expected a list of e-mail addresses")
        district = province.district(_str(a, "district", where, key))
        if district and not province.has_district(district):
            raise ConfigError(f"{where}: {key}.district: {district!r} of agency {code} is not a district of "
                              f"{province.name_en} (one of: {', '.join(province.districts)}; settings.yaml: "
                              f"province.districts)")
        out.append(Agency(
            code=code,
            reminder_emails=tuple([emails] if isinstance(emails, str) else map(str, emails)),
            name=unicodedata.normalize("NFC", _str(a, "name", where, key, required=True)),
            district=district,
            type=_str(a, "type", where, key),
            domains=tuple(domains),
            score_2565=float(score) if score is not None else None,
            grade_2565=_str(a, "last_grade" if "last_grade" in a else "grade_2565", where, key),
            confirm=_str(a, "confirm", where, key),
        ))
    return tuple(out)


def normalize_domain(text: str) -> str:
    """Lower case, no scheme, no www., no path; Thai names to punycode.

    >>> normalize_domain("https://www.Tapladuk.go.th/")
    'tapladuk.go.th'
    """
    d = str(text).strip().lower()
    for prefix in ("https://", "http://"):
        if d.startswith(prefix):
            d = d[len(prefix):]
    d = d.split("/", 1)[0]
    if d.startswith("www."):
        d = d[4:]
    try:
        return d.encode("idna").decode("ascii")
    except UnicodeError:
        return d


def split_emails(value) -> tuple[str, ...]:
    r"""A cell or a list of e-mail addresses as a tuple: separated by commas, semicolons, spaces
    or line breaks (as people paste them), trimmed, without repeats (case-insensitive). Spaces
    typed beside an address's '@' or a dot are no separator when the pieces read together as one
    address ('saraban @a.go.th' was 'saraban' and '@a.go.th', two invalid addresses).

    >>> split_emails("a@x.go.th; B@x.go.th\na@X.go.th"), split_emails("saraban @ a.go.th, it@ b. go.th")
    (('a@x.go.th', 'B@x.go.th'), ('saraban@a.go.th', 'it@b.go.th'))
    """
    parts = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for part in parts:
        for chunk in re.split(r"[,;\r\n]+", str(part)):
            for address in _rejoined(chunk.split()):
                address = address.strip().strip("<>")
                if address and address.lower() not in (o.lower() for o in out):
                    out.append(address)
    return tuple(out)


def _rejoined(pieces: list[str]) -> list[str]:
    """Space-separated pieces, those typed around an '@' or a dot joined back into the one address
    they only read as; any other run is left as typed (two addresses, a sentence's full stop, or an
    address with no reading, which the coordinators are told is invalid)."""
    out: list[str] = []
    run: list[str] = []
    for piece in [*pieces, None]:
        if piece is not None and run and (_bare(run[-1]).endswith(("@", ".")) or _bare(piece).startswith(("@", "."))):
            run.append(piece)
            continue
        whole = "".join(run)
        # One '@' at most in an address: so of the pieces at most one (the one with the '@') could
        # pass alone, and split they leave a stray piece that is no address ('saraban@a.go', '.th').
        out.extend([whole] if len(run) > 1 and deliverable(whole) is not None else run)
        run = [piece] if piece is not None else []
    return out


def _bare(text: str) -> str:
    """The text as a mail server would read it: compatibility forms ('＠', full-width letters) as
    ASCII, invisible format characters (a zero-width space) gone."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf")


def deliverable(address: str) -> str | None:
    """The address a mail server can take, as it was meant, or None.

    Addresses are pasted from web pages and letters: a zero-width space (Thai pages put them
    between words), full-width letters or '＠', brackets or "mailto:" around it, the full stop of
    a sentence after it. Those are undone. What is left must be ASCII: smtplib cannot send to a
    Thai mailbox name (it failed with a TypeError and stopped the whole run), so such an address
    is not usable and the coordinators are told so.

    >>> deliverable("\u200bsaraban@a.go.th."), deliverable("mailto:(IT@b.go.th)"), deliverable("สารบรรณ@b.go.th")
    ('saraban@a.go.th', 'IT@b.go.th', None)
    """
    text = _bare(address).strip().strip("<>()[]\"'").removeprefix("mailto:").strip("<>()[]\"'").rstrip(".")
    return text if is_email(text) else None


_EMAIL_RE = re.compile(r"^[^@\s<>(),;:\"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def is_email(text: str) -> bool:
    """A plain address (local@domain.tld) mail can be sent to: what we accept in the sheet and the
    settings. ASCII only: smtplib cannot send to a Thai mailbox name (nor from one), so such an
    address passed here and then failed on every message.

    >>> is_email("saraban@lamphun.go.th"), is_email("ส่งทางไลน์"), is_email("a@b"), is_email("สารบรรณ@a.go.th")
    (True, False, False, False)
    """
    return bool(text) and text.isascii() and bool(_EMAIL_RE.match(text))


def _not_an_address(value: str) -> str:
    """Why a configured address is refused, for a ConfigError."""
    return f"{value!r} is not an e-mail address" + (
        " mail can be sent to (it has non-ASCII characters: give its ASCII address)" if not value.isascii() else "")


# ---------------------------------------------------------------- helpers
def _read_yaml(path: Path) -> dict:
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a BOM (Notepad's "UTF-8 with BOM") is no key
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from None
    except UnicodeDecodeError as e:
        # Notepad's "ANSI" on a Thai Windows (Windows-874), or UTF-16: was an unexpected error
        # (exit 1), and a running worker told to reload died of it
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.start + 1}); save it as UTF-8") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{line} not valid YAML: {getattr(e, 'problem', e)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys")
    return data


def _no_unknown(mapping: Any, allowed: set[str], where: str, prefix: str) -> None:
    if not isinstance(mapping, dict):
        raise ConfigError(f"{where}: {prefix or 'top level'}: expected a mapping of keys")
    for k in mapping:
        if k not in allowed:
            name = f"{prefix}.{k}" if prefix else str(k)
            raise ConfigError(f"{where}: {name}: unknown key (allowed: {', '.join(sorted(allowed))})")


def _build(cls, raw: Any, where: str, prefix: str):
    """Builds a frozen settings dataclass from a mapping, checking keys and types."""
    if raw is None:
        raw = {}
    fields = {f.name: f for f in dataclasses.fields(cls)}
    _no_unknown(raw, set(fields), where, prefix)
    hints = get_type_hints(cls)
    values = {}
    for name, value in raw.items():
        key = f"{prefix}.{name}" if prefix else name
        hint = hints[name]
        if hint is Province:
            values[name] = _province(value, where, key)
        elif dataclasses.is_dataclass(hint):
            values[name] = _build(hint, value, where, key)
        else:
            values[name] = _coerce(hint, value, where, key)
    return cls(**values)


def _province(raw: Any, where: str, key: str) -> Province:
    """settings.yaml's `province:` is one province's data, given whole: nothing in it is taken from
    Lamphun's (a name of one province with the districts of another would pass unseen)."""
    _no_unknown(raw, set(PROVINCE_KEYS), where, key)
    name_th, name_en = _str(raw, "name_th", where, key, required=True), _str(raw, "name_en", where, key, required=True)
    if name_th.startswith("จังหวัด"):
        raise ConfigError(f"{where}: {key}.name_th: write the name alone ({name_th[len('จังหวัด'):].strip()!r}); "
                          "titles add จังหวัด")
    value = raw.get("districts")
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where}: {key}.districts: expected the list of the province's districts")
    districts: list[str] = []
    for d in value:
        name = normalize.district(str(d) if isinstance(d, (str, int)) else "", {})
        if not name:
            raise ConfigError(f"{where}: {key}.districts: {d!r} is not a district name")
        if name in districts:
            raise ConfigError(f"{where}: {key}.districts: {name!r} is listed twice")
        districts.append(name)
    aliases = raw.get("district_aliases") or {}
    if not isinstance(aliases, dict):
        raise ConfigError(f"{where}: {key}.district_aliases: expected a mapping of spelling: district")
    pairs: list[tuple[str, str]] = []
    for typed, official in aliases.items():
        typed_name = normalize.district(str(typed), {})
        official_name = normalize.district(str(official or ""), {})
        if official_name not in districts:
            raise ConfigError(f"{where}: {key}.district_aliases.{typed}: {official!r} is not one of "
                              f"{key}.districts")
        pairs.append((typed_name, official_name))
    return Province(name_th=unicodedata.normalize("NFC", name_th), name_en=name_en, districts=tuple(districts),
                    district_aliases=tuple(pairs))


def _coerce(hint, value, where: str, key: str):
    origin = get_origin(hint)
    if origin is tuple:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ConfigError(f"{where}: {key}: expected a list")
        if get_args(hint)[:1] == (int,):
            if any(isinstance(v, bool) or not isinstance(v, int) for v in value):
                raise ConfigError(f"{where}: {key}: expected a list of whole numbers, got {value!r}")
            return tuple(value)
        return tuple(str(v) for v in value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: {key}: expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: {key}: expected a whole number, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: {key}: expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if value is None:
            return ""
        if not isinstance(value, (str, int, float)):
            raise ConfigError(f"{where}: {key}: expected text, got {value!r}")
        return str(value)
    if get_args(hint):  # Optional[...] and the like
        return value
    return value


def _check_settings(s: Settings, where: str) -> None:
    if s.backend.kind not in ("xlsx", "gsheets", "memory"):
        raise ConfigError(f"{where}: backend.kind: must be xlsx, gsheets or memory, not {s.backend.kind!r}")
    if s.backend.kind == "gsheets" and not s.backend.spreadsheet.strip():
        # A configuration mistake (exit 2), found before anything is opened: not a sheet failure.
        raise ConfigError(f"{where}: backend.spreadsheet: required with kind gsheets "
                          "(the spreadsheet's id or its URL from the browser)")
    c = s.checker
    for name in ("concurrency", "per_host", "max_redirects", "max_body_bytes"):
        if getattr(c, name) < 1:
            raise ConfigError(f"{where}: checker.{name}: must be at least 1")
    for name in ("connect_timeout_s", "read_timeout_s", "total_timeout_s", "stage_timeout_s"):
        if getattr(c, name) <= 0:
            raise ConfigError(f"{where}: checker.{name}: must be more than 0")
    if c.retries < 0:
        raise ConfigError(f"{where}: checker.retries: must be 0 or more")
    for name in ("min_host_interval_s", "cache_ttl_hours", "outage_confirm_minutes"):
        if getattr(c, name) < 0:
            raise ConfigError(f"{where}: checker.{name}: must be 0 or more")
    if c.pdf_pages < 1:
        raise ConfigError(f"{where}: checker.pdf_pages: must be at least 1")
    if c.max_document_bytes < c.max_body_bytes:
        raise ConfigError(f"{where}: checker.max_document_bytes: must be at least checker.max_body_bytes "
                          f"({c.max_body_bytes})")
    for entry in c.resolve:
        if not resolve_entry_ok(entry):
            raise ConfigError(f"{where}: checker.resolve: {entry!r} is not HOST:ADDRESS")
    for cidr in c.allow_private:
        if not network_ok(cidr):
            raise ConfigError(f"{where}: checker.allow_private: {cidr!r} is not a network (CIDR)")
    _check_notify(s.notify, where)
    if s.expected_agencies < 1 or not (0 < s.target_agencies <= s.expected_agencies):
        raise ConfigError(f"{where}: target_agencies: must be between 1 and expected_agencies")


def resolve_entry_ok(entry: str) -> bool:
    """A checker.resolve (or --resolve) value is HOST:ADDRESS."""
    try:
        parse_resolve([entry])
    except ValueError:
        return False
    return True


def network_ok(cidr: str) -> bool:
    """A checker.allow_private (or --allow-private) value is a network (CIDR) or an address."""
    try:
        ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return True


def _check_notify(n: NotifySettings, where: str) -> None:
    if any(d < 0 for d in n.days_before):
        raise ConfigError(f"{where}: notify.days_before: days must be 0 or more")
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", n.send_at.strip()):
        raise ConfigError(f"{where}: notify.send_at: expected HH:MM such as \"08:00\", got {n.send_at!r}")
    if n.max_attempts < 1:
        raise ConfigError(f"{where}: notify.max_attempts: must be at least 1")
    for address in n.coordinators:
        if not is_email(address):
            raise ConfigError(f"{where}: notify.coordinators: {_not_an_address(address)}")
    m = n.smtp
    if m.security not in ("starttls", "tls", "none"):
        raise ConfigError(f"{where}: notify.smtp.security: must be starttls, tls or none, not {m.security!r}")
    if not 0 < m.port < 65536:
        raise ConfigError(f"{where}: notify.smtp.port: must be between 1 and 65535")
    if m.timeout_s <= 0:
        raise ConfigError(f"{where}: notify.smtp.timeout_s: must be more than 0")
    if m.password_env and m.password_file:
        raise ConfigError(f"{where}: notify.smtp: give password_env or password_file, not both")
    for name in ("from_address", "reply_to"):
        value = getattr(m, name)
        if value and not is_email(value):
            raise ConfigError(f"{where}: notify.smtp.{name}: {_not_an_address(value)}")
    if n.enabled and not (m.host and m.from_address):
        raise ConfigError(f"{where}: notify.enabled is true, but notify.smtp.host or notify.smtp.from_address is empty")


def _list(raw: dict, key: str, where: str) -> list:
    value = raw.get(key)
    if not isinstance(value, list):
        raise ConfigError(f"{where}: {key}: expected a list")
    return value


def _int(raw: dict, key: str, where: str, prefix: str) -> int:
    value = raw.get(key)
    name = f"{prefix}.{key}" if prefix else key
    if isinstance(value, str):
        value = normalize.thai_digits_to_arabic(value.strip())
        if value.isdigit():
            value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where}: {name}: expected a whole number, got {raw.get(key)!r}")
    return value


def _str(raw: dict, key: str, where: str, prefix: str, required: bool = False) -> str:
    value = raw.get(key)
    name = f"{prefix}.{key}"
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ConfigError(f"{where}: {name}: missing")
        return ""
    if not isinstance(value, (str, int, float)):
        raise ConfigError(f"{where}: {name}: expected text, got {value!r}")
    return str(value).strip()


def _date(value: Any, where: str, key: str) -> date:
    """Accepts a YAML date or ISO text; years above 2400 are Buddhist era (2566-01-31)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        # The era is taken off before the date is made: 2567-02-29 is 2024-02-29, a leap day
        # that date.fromisoformat refuses in year 2567.
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", normalize.thai_digits_to_arabic(value.strip()))
        try:
            if m is None:
                raise ValueError(value)
            year = int(m.group(1))
            value = date(year - 543 if year > 2400 else year, int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise ConfigError(f"{where}: {key}: not a date (write YYYY-MM-DD): {value!r}") from None
    if not isinstance(value, date):
        raise ConfigError(f"{where}: {key}: not a date (write YYYY-MM-DD): {value!r}")
    if value.year > 2400:
        value = value.replace(year=value.year - 543)
    return value
