"""Contract tests for the local Sheets API fake: replay the requests of the cassettes recorded
against the real Google Sheets and Drive APIs (../shared/reference/gspread-cassettes, gspread
v6.2.1's test suite) against the fake, in order, and check that every answer has the status and
the shape Google gave: the same keys, the same JSON types, the same ragged value rows (trailing
empty cells and rows trimmed, no "values" key for an empty range) and the same error bodies.

Ids differ (the fake makes its own), so spreadsheet ids are mapped as the cassette creates them;
values that depend on Google's environment (ids, dates, theme) are compared by type only."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account

from tests.support.fake_sheets import FakeSheets, _route, write_credentials

CASSETTES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "gspread-cassettes"
if not CASSETTES.is_dir():  # the reference is beside the checkout (../shared) or beside /work/main
    CASSETTES = Path("/work/shared/reference/gspread-cassettes")
FILES = sorted(CASSETTES.glob("*.json")) if CASSETTES.is_dir() else []

# Keys of Google's answers that describe its environment, not the API shapes the worker relies on.
ENVIRONMENT_KEYS = {"spreadsheetTheme", "backgroundColorStyle", "foregroundColorStyle", "kind"}
# Keys whose value is compared: rendered values (ragged rows), counts, error status and message class.
EXACT_KEYS = {"values", "majorDimension", "updatedRows", "updatedColumns", "updatedCells", "totalUpdatedRows",
              "totalUpdatedColumns", "totalUpdatedCells", "totalUpdatedSheets", "code", "status", "note",
              "requestingUserCanEdit", "warningOnly", "rowCount", "columnCount", "title", "index", "sheetType"}


def _ops(data: dict) -> set[str]:
    return {_route(i["request"]["method"], urlsplit(i["request"]["uri"]).path)[0] for i in data["interactions"]}


def shape_diff(fake, real, path="$") -> list[str]:
    """Differences in shape between the fake's answer and Google's recorded one."""
    if isinstance(real, dict):
        if not isinstance(fake, dict):
            return [f"{path}: {type(fake).__name__} instead of an object"]
        out = []
        for k in set(real) - set(fake) - ENVIRONMENT_KEYS:
            out.append(f"{path}.{k}: missing")
        for k in set(fake) - set(real) - ENVIRONMENT_KEYS:
            out.append(f"{path}.{k}: not in Google's answer")
        for k in set(real) & set(fake):
            if k in ENVIRONMENT_KEYS:
                continue
            ragged_rows = k == "values" and isinstance(real[k], list) and all(isinstance(r, list) for r in real[k])
            if ragged_rows or k in EXACT_KEYS and not isinstance(real[k], (dict, list)):
                if fake[k] != real[k]:
                    out.append(f"{path}.{k}: {fake[k]!r} instead of {real[k]!r}")
                continue
            out += shape_diff(fake[k], real[k], f"{path}.{k}")
        return out
    if isinstance(real, list):
        if not isinstance(fake, list):
            return [f"{path}: {type(fake).__name__} instead of a list"]
        if len(fake) != len(real):
            return [f"{path}: {len(fake)} items instead of {len(real)}"]
        out = []
        for i, (a, b) in enumerate(zip(fake, real)):
            out += shape_diff(a, b, f"{path}[{i}]")
        return out
    if isinstance(real, bool) or isinstance(fake, bool):
        return [] if type(real) is type(fake) else [f"{path}: {fake!r} instead of {real!r}"]
    if isinstance(real, (int, float)):
        return [] if isinstance(fake, (int, float)) else [f"{path}: {fake!r} is not a number"]
    if isinstance(real, str):
        return [] if isinstance(fake, str) else [f"{path}: {fake!r} is not a string"]
    return []


@pytest.fixture(scope="module")
def fake():
    with FakeSheets(read_per_minute=10 ** 6, write_per_minute=10 ** 6) as f:
        yield f


@pytest.mark.skipif(not FILES, reason="the recorded cassettes are not available")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_fake_answers_like_google(path, fake, tmp_path):
    data = json.loads(path.read_text(encoding="utf-8"))
    unsupported = _ops(data) - {"token"} - {op for op in _SUPPORTED}
    if unsupported:
        pytest.skip(f"uses {', '.join(sorted(unsupported))}, which the worker does not use (values.append)")
    creds = write_credentials(tmp_path, fake)
    session = AuthorizedSession(service_account.Credentials.from_service_account_file(
        str(creds.path), scopes=["https://www.googleapis.com/auth/spreadsheets"]))
    ids: dict[str, str] = {"test": "test"}
    mapped: dict[tuple[str, int], int] = {}  # (field, Google's id) -> the fake's id
    problems: list[str] = []
    checked = 0
    for n, it in enumerate(data["interactions"]):
        req, res = it["request"], it["response"]
        uri = req["uri"]
        for real_id, fake_id in sorted(ids.items(), key=lambda kv: -len(kv[0])):
            uri = uri.replace(real_id, fake_id)
        parts = urlsplit(uri)
        op = _route(req["method"], parts.path)[0]
        if op != "drive.create" and "/spreadsheets/" in parts.path or "/files/" in parts.path:
            real_id = parts.path.split("/spreadsheets/")[-1].split("/files/")[-1].split("/")[0].split(":")[0]
            if real_id not in ids.values():  # an id the cassette never created: someone else's sheet
                ids[real_id] = fake.create_spreadsheet(owner="stranger@example.org")
                uri = uri.replace(real_id, ids[real_id])
                parts = urlsplit(uri)
        url = urlunsplit(("http", urlsplit(fake.url).netloc, parts.path, parts.query, ""))
        body = req["body"]
        if isinstance(body, str):
            for (name, real_id), fake_id in mapped.items():
                body = re.sub(rf'("{name}": ){real_id}\b', rf"\g<1>{fake_id}", body)
        answer: requests.Response = session.request(req["method"], url, data=body.encode() if isinstance(body, str) else body,
                                                     headers={"Content-Type": "application/json"} if body else {})
        text = res["body"]["string"]
        real = json.loads(text) if text else None
        got = answer.json() if answer.content else None
        if op == "drive.create" and real and got:
            ids[real["id"]] = got["id"]
        if op == "spreadsheets.batchUpdate" and real and got and answer.ok:
            for a, b in zip(real.get("replies", []), got.get("replies", [])):
                if "addSheet" in a and "addSheet" in b:
                    mapped[("sheetId", a["addSheet"]["properties"]["sheetId"])] = b["addSheet"]["properties"]["sheetId"]
                if "addProtectedRange" in a and "addProtectedRange" in b:
                    mapped[("protectedRangeId", a["addProtectedRange"]["protectedRange"]["protectedRangeId"])] = \
                        b["addProtectedRange"]["protectedRange"]["protectedRangeId"]
        if answer.status_code != res["status"]["code"]:
            problems.append(f"#{n} {req['method']} {parts.path}: HTTP {answer.status_code} instead of "
                            f"{res['status']['code']}: {answer.text[:200]}")
            continue
        if real is not None:
            problems += [f"#{n} {req['method']} {parts.path}: {d}" for d in shape_diff(got, real)]
        checked += 1
    assert checked and not problems, "\n".join(problems[:30])


_SUPPORTED = {"drive.create", "drive.get", "drive.delete", "spreadsheets.get", "spreadsheets.batchUpdate",
              "values.get", "values.batchGet", "values.update", "values.batchUpdate", "values.clear"}
