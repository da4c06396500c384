"""Config loading: the shipped files load, and each kind of mistake is one clear line naming
the file and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sheets_sync.config.settings import load_config
from sheets_sync.core.errors import ConfigError
from sheets_sync.core.normalize import district, item_code

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture
def cfg(tmp_path):
    """A writable copy of the shipped config directory."""
    target = tmp_path / "config"
    shutil.copytree(REPO_CONFIG, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def error_of(cfg: Path) -> str:
    with pytest.raises(ConfigError) as e:
        load_config(cfg / "settings.yaml")
    message = str(e.value)
    assert "\n" not in message
    return message


def test_shipped_config_loads_with_43_items_in_three_rounds(cfg):
    c = load_config(cfg / "settings.yaml")
    assert [i.code for i in c.catalog.items] == [f"O{n}" for n in range(1, 44)]
    assert [sum(1 for i in c.catalog.items if i.round == r) for r in (1, 2, 3)] == [14, 14, 15]
    assert c.catalog.item("O32").title == "การสร้างวัฒนธรรม No Gift Policy" and c.catalog.item("O32").round == 3
    assert c.catalog.item("O31").round == 2
    assert [str(r.deadline) for r in c.catalog.rounds] == ["2023-01-31", "2023-02-28", "2023-04-07"]
    failed = [a for a in c.agencies if a.failed_2565]
    assert len(failed) == 12
    assert {a.code: a.score_2565 for a in failed}["abt-nakhonchedi"] == 71.69
    assert c.settings.timezone == "Asia/Bangkok" and c.settings.backend.kind == "xlsx"
    assert len({a.code for a in c.agencies}) == len(c.agencies)


@pytest.mark.parametrize("file,old,new,expected", [
    ("settings.yaml", "  per_host: 4", "  per_hots: 4", "settings.yaml: checker.per_hots: unknown key"),
    ("settings.yaml", "timezone: Asia/Bangkok", "timezone: Asia/Lamphun", "settings.yaml: timezone: unknown time zone"),
    ("settings.yaml", "  kind: xlsx", "  kind: excel", "settings.yaml: backend.kind: must be"),
    ("settings.yaml", "  kind: xlsx", "  kind: gsheets", "settings.yaml: backend.spreadsheet: required with kind gsheets"),
    ("settings.yaml", "  per_host: 4", "  per_host: four", "settings.yaml: checker.per_host: expected a whole number"),
    ("settings.yaml", "  verify_tls: true", "  verify_tls: yes please", "settings.yaml: checker.verify_tls: expected true or false"),
    ("settings.yaml", "  resolve: []", "  resolve: [tapladuk.go.th]", "settings.yaml: checker.resolve:"),
    ("settings.yaml", "  max_document_bytes: 40000000", "  max_document_bytes: 1000",
     "settings.yaml: checker.max_document_bytes: must be at least checker.max_body_bytes (5000000)"),
    ("settings.yaml", "  allow_private: []", "  allow_private: [10.0.0.0/99]", "settings.yaml: checker.allow_private:"),
    ("settings.yaml", "checker:", "checker: [\n", "settings.yaml: line"),
    ("settings.yaml", "items_file: oit_items.yaml", "items_file: missing.yaml", "missing.yaml: file not found"),
    ("oit_items.yaml", "  - {code: O2, round: 1,", "  - {code: O01, round: 1,", "oit_items.yaml: items[1].code: duplicate item code O1"),
    ("oit_items.yaml", "  - {code: O2, round: 1,", "  - {code: O2, rounds: 1,", "oit_items.yaml: items[1].rounds: unknown key"),
    ("oit_items.yaml", "  - {code: O2, round: 1,", "  - {code: O2,", "oit_items.yaml: items[1].round: item O2 has no round"),
    ("oit_items.yaml", "  - {code: O2, round: 1,", "  - {code: O2, round: 4,", "oit_items.yaml: items[1].round: item O2 names round 4"),
    ("oit_items.yaml", "deadline: 2023-01-31}", "deadline: 31 Jan 2566}", "oit_items.yaml: rounds[0].deadline: not a date"),
    ("oit_items.yaml", "deadline: 2023-02-28}", "deadline: 2023-02-30}", "oit_items.yaml: rounds[1].deadline: not a date"),
    ("oit_items.yaml", "year: 2566", "year: 2566\ncolour: red", "oit_items.yaml: colour: unknown key"),
    ("agencies.yaml", "{code: tt-li,", "{code: tt-banklang,", "agencies.yaml: agencies[32].code: duplicate agency code tt-banklang"),
    ("agencies.yaml", "{code: tt-li,", "{webpage: x, code: tt-li,", "agencies.yaml: agencies[32].webpage: unknown key"),
    ("agencies.yaml", "last_score: 84.99", "last_score: high", "agencies.yaml: agencies[29].last_score: not a number"),
    ("agencies.yaml", "{code: tt-li, name: เทศบาลตำบลลี้,", "{code: tt-li,", "agencies.yaml: agencies[32].name: missing"),
    ("oit_items.yaml", "title: \"โครงสร้าง\", years: none}", "title: \"โครงสร้าง\", years: [last]}",
     "oit_items.yaml: items[0].years: 'last' is not current, previous, none or a Buddhist-era year"),
    ("oit_items.yaml", "years: none}  # no year clause (medium)", "period: second_half}",
     "oit_items.yaml: items[0].period: must be first_half"),
    ("oit_items.yaml", "year: 2566", "year: 2023", "oit_items.yaml: year: write the Buddhist-era year"),
    # accepted silently before: the report's follow-up line vanished, the summary showed a round of
    # nothing, the headline counted round 2's bar before round 1 was due
    ("oit_items.yaml", "followup_meeting: 2023-04-24", "followup_meeting: 2022-04-25",
     "oit_items.yaml: followup_meeting: 2022-04-25 is not in the fiscal year 2566"),
    ("oit_items.yaml", "  - {number: 3, deadline: 2023-04-07}",
     "  - {number: 3, deadline: 2023-04-07}\n  - {number: 4, deadline: 2023-05-01}",
     "oit_items.yaml: rounds[3]: round 4 has no items"),
    ("oit_items.yaml", "  - {number: 2, deadline: 2023-02-28}", "  - {number: 2, deadline: 2023-01-15}",
     "oit_items.yaml: rounds: round 2's deadline 2023-01-15 is not after round 1's 2023-01-31"),
    ("oit_items.yaml", "  line_open_chat:", "  line_chat:", "oit_items.yaml: contacts.line_chat: unknown key"),
    # a section pasted above the shipped one: YAML let the later win, silently (reminders off)
    ("settings.yaml", "checker:", "notify:\n  enabled: true\nchecker:", "settings.yaml: line"),
    ("settings.yaml", "checker:", "notify:\n  enabled: true\nchecker:", "key 'notify' given twice (first on line"),
])
def test_each_config_mistake_is_one_line_naming_file_and_key(cfg, file, old, new, expected):
    edit(cfg / file, old, new)
    assert expected in error_of(cfg)


def test_buddhist_era_deadline_is_understood(cfg):
    edit(cfg / "oit_items.yaml", "deadline: 2023-01-31}", "deadline: 2566-01-31}")
    assert str(load_config(cfg / "settings.yaml").catalog.round(1).deadline) == "2023-01-31"
    # 2567-02-29 is 2024-02-29, a leap day (was "not a date": year 2567 has no 29 February)
    edit(cfg / "oit_items.yaml", "year: 2566", "year: 2567")
    for old, new in (("2566-01-31", "2567-01-31"), ("2023-02-28", "2567-02-29"), ("2023-04-07", "2567-04-05")):
        edit(cfg / "oit_items.yaml", f"deadline: {old}}}", f"deadline: {new}}}")
    edit(cfg / "oit_items.yaml", "followup_meeting: 2023-04-24", "followup_meeting: 2567-04-22")
    catalog = load_config(cfg / "settings.yaml").catalog
    assert (str(catalog.round(1).deadline), str(catalog.round(2).deadline)) == ("2024-01-31", "2024-02-29")


def test_a_new_years_catalogue_with_last_years_deadlines_is_refused(cfg):
    """A copy of last year's file with only `year` changed ran with deadlines 1,402 days past and
    wrote three round snapshots that are never rewritten."""
    edit(cfg / "oit_items.yaml", "year: 2566", "year: 2567")
    assert ("oit_items.yaml: rounds[0].deadline: 2023-01-31 is not in the fiscal year 2567 of the assessment "
            "(2023-10-01 to 2024-09-30)") in error_of(cfg)


@pytest.mark.parametrize("encoding", ["cp874", "utf-16"])
def test_a_config_file_not_in_utf8_is_one_line_naming_it(cfg, encoding):
    """Notepad's "ANSI" on a Thai Windows, or UTF-16: was an unexpected error (exit 1), and a
    running worker told to reload its settings died of it."""
    path = cfg / "agencies.yaml"
    path.write_text(path.read_text(encoding="utf-8"), encoding=encoding)
    assert "agencies.yaml: not UTF-8 text" in error_of(cfg)


def test_seed_district_spelling_is_read_as_official(cfg):
    edit(cfg / "agencies.yaml", "name: องค์การบริหารส่วนตำบลเหล่ายาว, district: บ้านโฮ่ง",
         "name: องค์การบริหารส่วนตำบลเหล่ายาว, district: บ้านโฮ้ง")
    agency = next(a for a in load_config(cfg / "settings.yaml").agencies if a.code == "abt-laoyao")
    assert agency.district == "บ้านโฮ่ง"


def test_a_district_that_is_not_lamphuns_is_an_error_naming_the_agency(cfg):
    """A typo ("บ้านโฮง") counted the agency under "no district" in the governor's table without a word."""
    edit(cfg / "agencies.yaml", "name: องค์การบริหารส่วนตำบลเหล่ายาว, district: บ้านโฮ่ง",
         "name: องค์การบริหารส่วนตำบลเหล่ายาว, district: บ้านโฮง")
    message = error_of(cfg)
    assert "agencies.yaml" in message and "abt-laoyao" in message and "บ้านโฮง" in message


def test_item_codes_in_the_seed_style_are_read(cfg):
    edit(cfg / "oit_items.yaml", "  - {code: O11,", "  - {code: ๐๑๑,")
    assert load_config(cfg / "settings.yaml").catalog.item("O11") is not None


@pytest.mark.parametrize("typed", ["O1", "O01", "o1", "๐๑", "1", "O 1", " o01 ", 1, 1.0,
                                   "Ｏ１", "Ｏ０１", "ｏ１", "Ｏ　１", "ข้อ Ｏ１"])
def test_item_code_forms_all_mean_o1(typed):
    assert item_code(typed) == "O1"


@pytest.mark.parametrize("typed", ["", "O", "X1", "O0", "1.5", 1.5, None, "O1a", "Ｘ１", "Ｏ１ａ"])
def test_item_code_rejects_non_codes(typed):
    assert item_code(typed) is None


def test_district_aliases():
    assert district("บ้านโฮ้ง") == "บ้านโฮ่ง"
    assert district("อำเภอลี้") == "ลี้"
    assert district("ป่าซาง") == "ป่าซาง"


def test_resolve_in_settings_accepts_what_the_command_line_accepts(cfg):
    """Both go through normalize.parse_resolve: curl's HOST:PORT:ADDR form included."""
    edit(cfg / "settings.yaml", "  resolve: []", '  resolve: ["b.go.th:443:127.0.0.5", "c.go.th:127.0.0.6"]')
    assert load_config(cfg / "settings.yaml").settings.checker.resolve == ("b.go.th:443:127.0.0.5", "c.go.th:127.0.0.6")


@pytest.mark.parametrize("old, new, expected", [
    ("    security: starttls ", "    secure: starttls ", "settings.yaml: notify.smtp.secure: unknown key"),
    ("    security: starttls ", "    security: ssl ", "notify.smtp.security: must be starttls, tls or none"),
    ("  days_before: [7, 3, 1]", "  days_before: [7, three]", "notify.days_before: expected a list of whole numbers"),
    ('  send_at: "08:00"', '  send_at: "8 am"', "notify.send_at: expected HH:MM"),
    ("  coordinators: []                # addresses", "  coordinators: [ผู้ประสานงาน]  # addresses",
     "notify.coordinators: 'ผู้ประสานงาน' is not an e-mail address"),
    # a Thai mailbox name passed here, then every message to (or from) it failed at send time
    ("  coordinators: []                # addresses", "  coordinators: [สารบรรณ@lamphun.go.th]  # addresses",
     "settings.yaml: notify.coordinators: 'สารบรรณ@lamphun.go.th' is not an e-mail address mail can be sent to"),
    ('    from_address: ""', '    from_address: "ไอทีเอ@lamphun.go.th"',
     "settings.yaml: notify.smtp.from_address: 'ไอทีเอ@lamphun.go.th' is not an e-mail address mail can be sent"),
    ('    password_file: ""', '    password_file: /etc/pw', None),
    ("  enabled: false                  # true: the worker", "  enabled: true  # true: the worker",
     "notify.enabled is true, but notify.smtp.host or notify.smtp.from_address is empty"),
])
def test_notify_settings_are_strict(cfg, old, new, expected):
    settings = cfg / "settings.yaml"
    edit(settings, old, new)
    if expected is None:  # a password file alone is fine; with password_env as well it is not
        assert load_config(settings).settings.notify.smtp.password_file == "/etc/pw"
        edit(settings, '    password_env: ""', "    password_env: SMTP_PW")
        expected = "notify.smtp: give password_env or password_file, not both"
    assert expected in error_of(cfg)


def test_agencies_yaml_may_give_reminder_addresses(cfg):
    edit(cfg / "agencies.yaml", "  - {code: abt-laoyao,", "  - {reminder_emails: 'saraban@a.go.th; it@a.go.th', code: abt-laoyao,")
    first = next(a for a in load_config(cfg / "settings.yaml").agencies if a.code == "abt-laoyao")
    assert first.reminder_emails == ("saraban@a.go.th", "it@a.go.th")


def test_the_shipped_catalogue_gives_each_item_its_year_rule_and_the_contacts(cfg):
    c = load_config(cfg / "settings.yaml").catalog
    assert c.year == 2566 and c.previous_year == 2565
    assert c.item("O19").year_rule.years == (2566,)  # confirmed: the year itself
    assert c.item("O13").year_rule.years == (2565, 2566)  # annual report: the previous year too
    assert c.item("O24").year_rule.period == "first_half" and c.item("O24").year_rule.years == (2565, 2566)
    assert not c.item("O1").year_rule.checked  # no year clause
    assert c.item("O25").title == "หลักเกณฑ์การบริหารและพัฒนาทรัพยากรบุคคล"
    assert c.contacts.line_open_chat == "ITA ๒๕๖๖ ลำพูน" and len(c.contacts.phones) == 2


def test_year_templates_in_settings_take_the_catalogues_year(cfg):
    edit(cfg / "oit_items.yaml", "year: 2566", "year: 2570")
    for old in ("2023-01-31", "2023-02-28", "2023-04-07"):
        edit(cfg / "oit_items.yaml", f"deadline: {old}}}", f"deadline: 2027{old[4:]}}}")
    edit(cfg / "oit_items.yaml", "followup_meeting: 2023-04-24", "followup_meeting: 2027-04-24")
    s = load_config(cfg / "settings.yaml").settings
    assert s.backend.xlsx_path == "data/oit-2570.xlsx" and s.state_path == "data/state-2570.sqlite"
    assert "ITA 2570" in s.checker.user_agent and "{year}" not in s.checker.user_agent


def test_the_59_agencies_with_the_doubtful_ones_flagged(cfg):
    agencies = load_config(cfg / "settings.yaml").agencies
    assert len(agencies) == 59 and len({a.code for a in agencies}) == 59
    by_code = {a.code: a for a in agencies}
    assert by_code["tt-thasopchai"].district == "แม่ทา"
    flagged = [a for a in agencies if a.confirm]
    assert 15 <= len(flagged) <= 25 and by_code["tt-pratupa"].confirm and not by_code["tt-li"].confirm
    assert all(a.district for a in agencies)
