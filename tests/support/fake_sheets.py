"""A local Google Sheets API v4 + Drive v3 fake on loopback, good enough that the real
gspread and google-auth run against it unchanged.

    with FakeSheets() as fake:
        creds = write_credentials(tmp_path, fake)            # a service-account JSON, token_uri -> fake
        sid = fake.create_spreadsheet("ITA", shared_with=[creds.email])
        backend = GSheetsBackend(sid, creds.path, api_endpoint=fake.url)
        ...
        assert fake.count("write") == 1                       # the request log
        fake.sheet(sid, "ส่ง URL").grid()                      # the stored state

What it implements (see the handler table at the bottom):
* POST /token: the JWT-bearer grant; the assertion must be signed by the key registered for
  its issuer (the service-account e-mail), for the audience of this server's token URL.
* spreadsheets.get (includeGridData, ranges, fields masks incl. notes; a sheet's `merges` with or
  without grid data, unless a fields mask leaves them out), values get / batchGet / update /
  batchUpdate / clear, spreadsheets.batchUpdate (atomic, unmergeCells among its requests; see
  fake_sheets_batch.py),
  Drive files create / get / delete.
* access: a spreadsheet answers 404 when unknown and 403 to users it is not shared with.
* protections: a write (updateCells, values) to a protected cell by anyone but the range's editors
  is refused with 400, the whole request; a read answers each range's `requestingUserCanEdit` for
  the requester, true or left out, as Google does.
* quotas: per user and minute, 60 read (GET) and 60 write (POST/PUT) Sheets requests, over which
  it answers 429 RESOURCE_EXHAUSTED; `clock` is injectable so tests exhaust it deterministically.
* faults: `inject(kind, status, times, delay, echo)` answers the next matching requests with an
  error (or after a delay); with `echo` the error message quotes the request's Authorization
  header, its bare token and the private key id the token was granted for (like a careless API
  echoing what it received, to prove none of it reaches a file or an output), `before_next(predicate, fn)` runs fn (an "agency" editing the sheet)
  just before the next matching request is handled.
* `log`: every request as seen (op, kind read/write/token/drive, status, body size).

Nothing here sends traffic anywhere: the server binds 127.0.0.1 port 0.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support import fake_sheets_meta as dmeta
from tests.support.fake_sheets_batch import apply_batch, check_protection
from tests.support.fake_sheets_model import (
    A1,
    DEFAULT_COLUMN_PX,
    DEFAULT_ROW_PX,
    ApiError,
    Sheet,
    Spreadsheet,
    apply_fields,
    cell_has_content,
    check_cell_size,
    col_letter,
    deep_copy,
    formatted,
    new_value_runs,
    mask_has,
    parse_a1,
    parse_fields,
    quote_title,
    rendered,
    user_entered,
)

GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
MAX_BODY_BYTES = 10 * 1024 * 1024  # "Request payload size exceeds the limit: 10485760 bytes."
READ_PER_MINUTE = WRITE_PER_MINUTE = 60


@dataclass
class Seen:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    op: str  # token | spreadsheets.get | values.get | values.batchGet | values.update | values.batchUpdate |
    #          values.clear | spreadsheets.batchUpdate | drive.create | drive.get | drive.delete | unknown
    kind: str  # read | write | token | drive | other
    user: str = ""
    status: int = 0
    body_bytes: int = 0
    body: Any = None
    at: float = 0.0

    @property
    def sub_requests(self) -> list[str]:
        if self.op == "spreadsheets.batchUpdate" and isinstance(self.body, dict):
            return [next(iter(r)) for r in self.body.get("requests") or [] if isinstance(r, dict) and r]
        return []


@dataclass
class Fault:
    kind: str | None  # read | write | token | drive | None = any
    status: int | None
    times: int
    delay: float = 0.0
    op: str | None = None
    echo: bool = False


@dataclass
class Hook:
    predicate: Callable[[Seen], bool]
    fn: Callable[["FakeSheets"], None]
    times: int = 1


@dataclass
class FakeSheets:
    clock: Callable[[], float] = time.monotonic
    read_per_minute: int = READ_PER_MINUTE
    write_per_minute: int = WRITE_PER_MINUTE
    max_body_bytes: int = MAX_BODY_BYTES
    spreadsheets: dict[str, Spreadsheet] = field(default_factory=dict)
    log: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self.keys: dict[str, bytes] = {}  # service-account e-mail -> public key PEM
        self.tokens: dict[str, str] = {}  # access token -> e-mail
        self.token_key_ids: dict[str, str] = {}  # access token -> the `kid` of the key that signed its grant
        self.faults: list[Fault] = []
        self.hooks: list[Hook] = []
        self._quota: dict[tuple[str, str], deque[float]] = {}
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ lifecycle
    def start(self) -> "FakeSheets":
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="fake-sheets").start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeSheets":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server, "not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    # ------------------------------------------------------------ set-up for tests
    def register_key(self, email: str, public_pem: bytes) -> None:
        self.keys[email] = public_pem

    def create_spreadsheet(self, title: str = "ITA 2566", owner: str = "coordinator@example.org",
                           shared_with: tuple[str, ...] | list[str] = ()) -> str:
        with self.lock:
            sid = secrets.token_urlsafe(33)[:44]
            ss = Spreadsheet(sid, title, owner, shared_with={owner, *shared_with})
            ss.sheets.append(Sheet(sheet_id=0, title="Sheet1", index=0))
            self.spreadsheets[sid] = ss
            return sid

    def spreadsheet(self, sid: str) -> Spreadsheet:
        return self.spreadsheets[sid]

    def sheet(self, sid: str, title: str) -> Sheet:
        return self.spreadsheets[sid].sheet_by_title(title)

    def snapshot(self, sid: str) -> Spreadsheet:
        """A deep copy of the stored spreadsheet, to compare before and after."""
        with self.lock:
            return deep_copy(self.spreadsheets[sid])

    def inject(self, kind: str | None = None, status: int | None = 503, times: int = 1, delay: float = 0.0,
               op: str | None = None, echo: bool = False) -> None:
        """The next `times` requests of `kind` (and `op`) are answered `status` (after `delay` s);
        status None only delays and then answers normally. `echo`: the error message quotes the
        request's credentials (Authorization header, bare token, private key id)."""
        self.faults.append(Fault(kind, status, times, delay, op, echo))

    def before_next(self, predicate: Callable[[Seen], bool], fn: Callable[["FakeSheets"], None], times: int = 1) -> None:
        """Runs fn(fake) just before handling the next `times` requests matching predicate."""
        self.hooks.append(Hook(predicate, fn, times))

    def spend_quota(self, user: str, kind: str = "read", n: int = 1) -> None:
        """`n` requests of `user` counted against this minute's quota, as another script's would."""
        for _ in range(n):
            self._charge(user, kind)

    def count(self, kind: str | None = None, since: int = 0, ok_only: bool = False) -> int:
        return sum(1 for s in self.log[since:] if (kind is None or s.kind == kind) and (not ok_only or s.status < 400))

    def requests(self, since: int = 0, kinds: tuple[str, ...] = ("read", "write")) -> list[Seen]:
        return [s for s in self.log[since:] if s.kind in kinds]

    # ------------------------------------------------------------ request processing
    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        op, kind, args = _route(method, path)
        seen = Seen(method, raw_path, query, op, kind, body_bytes=len(body), at=time.monotonic())
        try:
            seen.body = json.loads(body) if body and kind != "token" else None
        except ValueError:
            seen.body = None
        with self.lock:
            self.log.append(seen)
            hooks = [h for h in self.hooks if h.times > 0 and h.predicate(seen)]
            for h in hooks:
                h.times -= 1
            self.hooks = [h for h in self.hooks if h.times > 0]
        for h in hooks:
            h.fn(self)
        try:
            status, answer = self._handle(seen, headers, body, args)
        except ApiError as e:
            status, answer = e.code, e.body()
        seen.status = status
        return status, answer

    def _fault(self, seen: Seen) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.times > 0 and (f.kind is None or f.kind == seen.kind) and (f.op is None or f.op == seen.op):
                    f.times -= 1
                    return f
        return None

    def _handle(self, seen: Seen, headers: dict[str, str], body: bytes, args: dict) -> tuple[int, Any]:
        fault = self._fault(seen)
        if fault:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status is not None:
                if seen.kind == "token":
                    return fault.status, {"error": "invalid_grant" if fault.status == 400 else "internal_failure",
                                          "error_description": "injected fault" + (
                                              self._echo(headers, body) if fault.echo else "")}
                message = "injected fault" if fault.status != 429 else _QUOTA_MESSAGE
                raise ApiError(fault.status, message + (self._echo(headers, body) if fault.echo else ""))
        if seen.kind == "token":
            return self._token(body)
        if seen.op == "unknown":
            raise ApiError(404, f"Not found: {seen.method} {seen.path}")
        if len(body) > self.max_body_bytes:
            raise ApiError(400, f"Request payload size exceeds the limit: {self.max_body_bytes} bytes.")
        auth = headers.get("authorization", "")
        user = self.tokens.get(auth[7:]) if auth.lower().startswith("bearer ") else None
        if user is None:
            raise ApiError(401, "Request is missing required authentication credential. Expected OAuth 2 access "
                                "token, login cookie or other valid authentication credential.")
        seen.user = user
        if seen.kind in ("read", "write"):
            self._charge(user, seen.kind)
        if seen.op == "drive.create":
            return 200, self._drive_create(user, seen.body or {})
        with self.lock:
            ss = self.spreadsheets.get(args["id"])
            if ss is None:
                raise ApiError(404, "Requested entity was not found." if seen.kind != "drive"
                               else f"File not found: {args['id']}.")
            if user not in ss.shared_with or (seen.kind == "write" and user in ss.viewers):
                raise ApiError(403, "The caller does not have permission")
            return getattr(self, "_" + seen.op.replace(".", "_"))(ss, seen, args)

    def _echo(self, headers: dict[str, str], body: bytes) -> str:
        """What the request carried, quoted every way a careless server might."""
        auth = headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        kid = self.token_key_ids.get(token, "")
        if not token and body:  # a token request: the key id is in the assertion's header
            kid = _assertion_kid(body)
        return (f" (request had Authorization: {auth}; access token {token} was granted for key {kid}; "
                f'details: {{"access_token": "{token}", "private_key_id": "{kid}"}}; form: access_token={token}'
                f"&key={kid})")

    def _charge(self, user: str, kind: str) -> None:
        limit = self.read_per_minute if kind == "read" else self.write_per_minute
        now = self.clock()
        with self.lock:
            window = self._quota.setdefault((user, kind), deque())
            while window and window[0] <= now - 60:
                window.popleft()
            if len(window) >= limit:
                raise ApiError(429, _QUOTA_MESSAGE.replace("Read", "Write" if kind == "write" else "Read"))
            window.append(now)

    # -- token
    def _token(self, body: bytes) -> tuple[int, Any]:
        from google.auth import jwt

        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}
        assertion = form.get("assertion", "")
        try:
            claims = jwt.decode(assertion, verify=False)
            key = self.keys.get(claims.get("iss", ""))
            if key is None:
                return 400, {"error": "invalid_grant", "error_description": "Invalid grant: account not found"}
            # google-auth signs for Google's token audience whatever token_uri is; Google checks the same
            jwt.decode(assertion, certs=key, audience=[self.token_url, GOOGLE_TOKEN_AUDIENCE])
        except (ValueError, KeyError) as e:
            return 400, {"error": "invalid_grant", "error_description": f"Invalid JWT Signature. ({e})"}
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = claims["iss"]
            self.token_key_ids[token] = _assertion_kid(body)
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    # -- drive
    def _drive_create(self, user: str, body: dict) -> dict:
        if body.get("mimeType") != "application/vnd.google-apps.spreadsheet":
            raise ApiError(400, "Only spreadsheets can be created in this fake")
        sid = self.create_spreadsheet(body.get("name") or "Untitled spreadsheet", owner=user)
        return {"kind": "drive#file", "id": sid, "name": self.spreadsheets[sid].title,
                "mimeType": "application/vnd.google-apps.spreadsheet"}

    def _drive_get(self, ss: Spreadsheet, seen: Seen, args: dict) -> tuple[int, Any]:
        out = {"kind": "drive#file", "id": ss.spreadsheet_id, "name": ss.title,
               "mimeType": "application/vnd.google-apps.spreadsheet", "createdTime": ss.created, "modifiedTime": ss.created}
        fields = seen.query.get("fields", [""])[0]
        return 200, apply_fields(out, parse_fields(fields)) if fields else out

    def _drive_delete(self, ss: Spreadsheet, seen: Seen, args: dict) -> tuple[int, Any]:
        if ss.owner != seen.user:
            raise ApiError(403, "The user does not have sufficient permissions for this file.")
        del self.spreadsheets[ss.spreadsheet_id]
        return 204, None

    # -- spreadsheets.get
    def _spreadsheets_get(self, ss: Spreadsheet, seen: Seen, args: dict) -> tuple[int, Any]:
        q = seen.query
        fields = q.get("fields", [""])[0]
        mask = parse_fields(fields) if fields else None
        ranges = [parse_a1(r) for r in q.get("ranges", [])]
        with_data = (mask_has(mask, "sheets", "data") if fields else q.get("includeGridData", ["false"])[0] == "true")
        sheets_out = []
        for sheet in sorted(ss.sheets, key=lambda s: s.index):
            mine = [a for a in ranges if (a.title or sorted(ss.sheets, key=lambda s: s.index)[0].title) == sheet.title]
            if ranges and not mine:
                continue
            entry: dict[str, Any] = {"properties": sheet.properties()}
            if sheet.protected:  # requestingUserCanEdit is the requester's; Google leaves out a false one
                entry["protectedRanges"] = [_as_seen_by(p, seen.user) for p in sheet.protected]
            if sheet.conditional:
                entry["conditionalFormats"] = sheet.conditional
            if sheet.charts:
                entry["charts"] = sheet.charts
            if sheet.filter_views:
                entry["filterViews"] = sheet.filter_views
            if sheet.merges:
                entry["merges"] = sheet.merges
            on_sheet = [dmeta.full(ss, e, s) for e, s, r in dmeta.every(ss) if s is sheet and r is None]
            if on_sheet:
                entry["developerMetadata"] = on_sheet
            if with_data:
                entry["data"] = [_grid_data(sheet, a, mask, ss) for a in (mine or [A1(sheet.title)])]
            sheets_out.append(entry)
        for a in ranges:
            ss.sheet_by_title(a.title)  # 400 for a range naming a missing tab
        out = {"spreadsheetId": ss.spreadsheet_id, "properties": ss.properties(), "sheets": sheets_out,
               "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{ss.spreadsheet_id}/edit"}
        on_book = [dmeta.full(ss, e) for e, s, r in dmeta.every(ss) if s is None]
        if on_book:
            out["developerMetadata"] = on_book
        return 200, apply_fields(out, mask) if fields else out

    # -- values
    def _values_get(self, ss: Spreadsheet, seen: Seen, args: dict) -> tuple[int, Any]:
        option = seen.query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        return 200, _value_range(ss, args["range"], option, seen.query.get("majorDimension", ["ROWS"])[0])

    def _values_batchGet(self, ss: Spreadsheet, seen: Seen, args: dict) -> tuple[int, Any]:
        option = seen.query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        major = seen.query.get("majorDimension", ["ROWS"])[0]
        return 200, {"spreadsheetId": ss.spreadsheet_id,
                     "valueRanges": [_value_range(ss, r, option, major) for r in seen.query.get("ranges", [])]}

    def _values_update(self, ss: Spreadsheet, seen: Seen, args: dict) -> tuple[int, Any]:
        option = seen.query.get("valueInputOption", [""])[0]
        body = seen.body or {}
        work = deep_copy(ss)
        out = _write_values(work, args["range"], body.get("values"), option, user=seen.user)
        self.spreadsheets[ss.spreadsheet_id] = work
        return 200, dict({"spreadsheetId": ss.spreadsheet_id}, **out)

    def _values_batchUpdate(self, ss: Spreadsheet, seen: Seen, args: dict) -> tuple[int, Any]:
        body = seen.body or {}
        option = body.get("valueInputOption", "")
        work = deep_copy(ss)
        responses = [dict({"spreadsheetId": ss.spreadsheet_id},
                          **_write_values(work, d.get("range", ""), d.get("values"), option, user=seen.user))
                     for d in body.get("data") or []]
        self.spreadsheets[ss.spreadsheet_id] = work
        return 200, _batch_totals(ss.spreadsheet_id, responses)

    def _values_clear(self, ss: Spreadsheet, seen: Seen, args: dict) -> tuple[int, Any]:
        a = parse_a1(args["range"])
        sheet = ss.sheet_by_title(a.title)
        r0, r1, c0, c1 = sheet.bounds(a)
        for r in range(r0, min(r1, len(sheet.rows))):
            for c in range(c0, min(c1, len(sheet.rows[r]))):
                cell = sheet.rows[r][c]
                if cell:
                    cell.pop("userEnteredValue", None)
                    sheet.rows[r][c] = cell or None
        return 200, {"spreadsheetId": ss.spreadsheet_id, "clearedRange": _range_text(sheet, r0, r1, c0, c1)}

    def _spreadsheets_batchUpdate(self, ss: Spreadsheet, seen: Seen, args: dict) -> tuple[int, Any]:
        body = seen.body
        if not isinstance(body, dict):
            raise ApiError(400, "Invalid JSON payload received.")
        work = deep_copy(ss)  # atomic: applied to a copy, swapped in only if every request worked
        replies = apply_batch(work, body.get("requests"), seen.user)
        self.spreadsheets[ss.spreadsheet_id] = work
        out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            # the spreadsheet as this batch left it, like spreadsheets.get with the response* options
            query = {"ranges": list(body.get("responseRanges") or []),
                     "includeGridData": ["true" if body.get("responseIncludeGridData") else "false"]}
            _, out["updatedSpreadsheet"] = self._spreadsheets_get(
                work, Seen("GET", "", query, "spreadsheets.get", "read"), {})
        fields = seen.query.get("fields", [""])[0]
        return 200, apply_fields(out, parse_fields(fields)) if fields else out

    def _values_batchUpdateByDataFilter(self, ss: Spreadsheet, seen: Seen, args: dict) -> tuple[int, Any]:
        """Each DataFilterValueRange is written to every range its filter selects (a metadata's
        row or sheet), from its top-left cell; null values skip their cell. A filter that selects
        nothing (its row was deleted) writes nothing and has no response."""
        body = seen.body or {}
        option = body.get("valueInputOption", "")
        work = deep_copy(ss)
        responses = []
        index = dmeta.by_value(work)  # writing values moves no metadata
        for d in body.get("data") or []:
            for entry, sheet, row in dmeta.select(work, d.get("dataFilter") or {}, index):
                if sheet is None:
                    raise ApiError(400, "A data filter selecting spreadsheet metadata has no range to write")
                text = f"{quote_title(sheet.title)}!A{(row or 0) + 1}"
                r = _write_values(work, text, d.get("values"), option, skip_none=True, user=seen.user)
                responses.append(dict(r, dataFilter=d.get("dataFilter")))
        self.spreadsheets[ss.spreadsheet_id] = work
        return 200, _batch_totals(ss.spreadsheet_id, responses)


def _as_seen_by(protected: dict, user: str) -> dict:
    """A protected range as `user` reads it: `requestingUserCanEdit` true, or left out (a false
    boolean is not in Google's JSON)."""
    out = {k: v for k, v in protected.items() if k != "requestingUserCanEdit"}
    if protected.get("warningOnly") or user in protected.get("editors", {}).get("users", []):
        out["requestingUserCanEdit"] = True
    return out


def _batch_totals(spreadsheet_id: str, responses: list[dict]) -> dict:
    """A values batch update's reply: the totals of its responses, and the responses."""
    return {"spreadsheetId": spreadsheet_id,
            "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
            "totalUpdatedColumns": max((r["updatedColumns"] for r in responses), default=0),
            "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
            "totalUpdatedSheets": len({r["updatedRange"].rsplit("!", 1)[0] for r in responses}),
            "responses": responses}


_QUOTA_MESSAGE = ("Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' "
                  "of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'.")


def _assertion_kid(body: bytes) -> str:
    """The `kid` (the service account's private_key_id) in the header of a token request's JWT."""
    from google.auth import jwt

    try:
        assertion = {k: v[0] for k, v in parse_qs(body.decode()).items()}.get("assertion", "")
        header, _, _, _ = jwt._unverified_decode(assertion)
        return str(header.get("kid", ""))
    except (ValueError, UnicodeDecodeError):
        return ""


def _route(method: str, path: str) -> tuple[str, str, dict]:
    if path == "/token" and method == "POST":
        return "token", "token", {}
    if path.startswith("/drive/v3/files"):
        rest = path[len("/drive/v3/files"):].strip("/")
        if not rest and method == "POST":
            return "drive.create", "drive", {}
        if rest and method in ("GET", "DELETE"):
            return "drive." + method.lower(), "drive", {"id": unquote(rest)}
        return "unknown", "drive", {}
    if path.startswith("/v4/spreadsheets/"):
        rest = path[len("/v4/spreadsheets/"):]
        kind = "read" if method == "GET" else "write"
        if rest.endswith(":batchUpdate") and "/" not in rest:
            return "spreadsheets.batchUpdate", kind, {"id": rest[:-len(":batchUpdate")]}
        if "/" not in rest:
            return ("spreadsheets.get" if method == "GET" else "unknown"), kind, {"id": unquote(rest)}
        sid, sub = rest.split("/", 1)
        if sub == "values:batchGet" and method == "GET":
            return "values.batchGet", kind, {"id": sid}
        if sub == "values:batchUpdate" and method == "POST":
            return "values.batchUpdate", kind, {"id": sid}
        if sub == "values:batchUpdateByDataFilter" and method == "POST":
            return "values.batchUpdateByDataFilter", kind, {"id": sid}
        if sub.startswith("values/"):
            rng = unquote(sub[len("values/"):])
            if rng.endswith(":clear") and method == "POST":
                return "values.clear", kind, {"id": sid, "range": rng[:-len(":clear")]}
            if method == "GET":
                return "values.get", kind, {"id": sid, "range": rng}
            if method == "PUT":
                return "values.update", kind, {"id": sid, "range": rng}
        return "unknown", kind, {"id": sid}
    return "unknown", "other", {}


def _range_text(sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> str:
    start, end = f"{col_letter(c0)}{r0 + 1}", f"{col_letter(max(c1 - 1, c0))}{max(r1, r0 + 1)}"
    return f"{quote_title(sheet.title)}!{start}" + ("" if start == end else f":{end}")


def _value_range(ss: Spreadsheet, text: str, option: str, major: str) -> dict:
    a = parse_a1(text)
    sheet = ss.sheet_by_title(a.title)
    r0, r1, c0, c1 = sheet.bounds(a)
    rows = []
    for r in range(r0, r1):
        vals = [rendered((sheet.cell(r, c) or {}).get("userEnteredValue"), option) for c in range(c0, c1)]
        while vals and vals[-1] == "":
            vals.pop()
        rows.append(vals)
    if major == "COLUMNS":
        width = max((len(v) for v in rows), default=0)
        rows = [[row[c] if c < len(row) else "" for row in rows] for c in range(width)]
        rows = [_rstrip(col) for col in rows]
    while rows and not rows[-1]:
        rows.pop()
    out = {"range": _range_text(sheet, r0, r1, c0, c1), "majorDimension": major}
    if rows:
        out["values"] = rows
    return out


def _rstrip(values: list) -> list:
    while values and values[-1] == "":
        values.pop()
    return values


def _write_values(ss: Spreadsheet, text: str, values: Any, option: str, skip_none: bool = False,
                  user: str | None = None) -> dict:
    """Writes `values` from the range's top-left cell; refused, as Google refuses it, when a cell it
    writes is protected against `user` (a value skipped as null is not written)."""
    if option not in ("RAW", "USER_ENTERED"):
        raise ApiError(400, "'valueInputOption' is required but not specified")
    if not isinstance(values, list) or not all(isinstance(r, list) for r in values):
        raise ApiError(400, f"Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), "
                            f"{json.dumps(values, ensure_ascii=False)}", "data.values")
    a = parse_a1(text)
    sheet = ss.sheet_by_title(a.title)
    r0, c0 = a.r0 or 0, a.c0 or 0
    height, width = len(values), max((len(r) for r in values), default=0)
    for row in values:
        for value in row:
            check_cell_size(value)
    if r0 + height > sheet.row_count or c0 + width > sheet.col_count:
        raise ApiError(400, f"Range ({quote_title(sheet.title)}!{text}) exceeds grid limits. "
                            f"Max rows: {sheet.row_count}, max columns: {sheet.col_count}")
    for dr, row in enumerate(values):
        for dc, value in enumerate(row):
            if value is None and skip_none:
                continue  # "Null values will be skipped" (ValueRange.values)
            if user is not None:
                check_protection(sheet, r0 + dr, r0 + dr + 1, c0 + dc, c0 + dc + 1, user)
            cell = dict(sheet.cell(r0 + dr, c0 + dc) or {})
            uev = user_entered(value, option == "USER_ENTERED")
            if uev:
                cell["userEnteredValue"] = uev
            else:
                cell.pop("userEnteredValue", None)
            new_value_runs(cell, runs_written=False)
            sheet.put(r0 + dr, c0 + dc, cell)
    return {"updatedRange": _range_text(sheet, r0, r0 + height, c0, c0 + width), "updatedRows": height,
            "updatedColumns": width,
            "updatedCells": sum(1 for r in values for v in r if not (skip_none and v is None))}


def _grid_data(sheet: Sheet, a: A1, mask: dict | None, ss: Spreadsheet | None = None) -> dict:
    r0, r1, c0, c1 = sheet.bounds(a)
    out: dict[str, Any] = {}
    if r0:
        out["startRow"] = r0
    if c0:
        out["startColumn"] = c0
    want_rows = mask is None or mask_has(mask, "sheets", "data", "rowData")
    if want_rows:
        row_data = []
        for r in range(r0, min(r1, len(sheet.rows))):
            values = []
            for c in range(c0, min(c1, len(sheet.rows[r]))):
                cell = sheet.rows[r][c]
                data: dict[str, Any] = {}
                if cell:
                    uev = cell.get("userEnteredValue")
                    if uev:
                        data["userEnteredValue"] = uev
                        data["effectiveValue"] = uev if "formulaValue" not in uev else {"stringValue": formatted(uev)}
                        data["formattedValue"] = formatted(uev)
                    for k in ("note", "userEnteredFormat", "dataValidation", "hyperlink", "textFormatRuns", "chipRuns"):
                        if k in cell:
                            data[k] = cell[k]
                values.append(data)
            while values and not values[-1]:
                values.pop()
            row_data.append({"values": values} if values else {})
        while row_data and not row_data[-1]:
            row_data.pop()
        if row_data:
            out["rowData"] = row_data
    if mask is None or mask_has(mask, "sheets", "data", "rowMetadata"):
        out["rowMetadata"] = []
        for r in range(r0, r1):
            props: dict[str, Any] = {"pixelSize": sheet.row_px.get(r, DEFAULT_ROW_PX)}
            if ss is not None and sheet.row_meta.get(r):
                props["developerMetadata"] = [dmeta.full(ss, e, sheet, r) for e in sheet.row_meta[r]]
            out["rowMetadata"].append(props)
    if mask is None or mask_has(mask, "sheets", "data", "columnMetadata"):
        out["columnMetadata"] = [{"pixelSize": sheet.column_px.get(c, DEFAULT_COLUMN_PX)} for c in range(c0, c1)]
    return out


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSheets
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; no 40 ms delayed-ACK stalls

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, answer = self.fake.handle(self.command, self.path, headers, body)
        # compact: the C encoder (indent=2 falls back to the pure-Python one, ~10x slower on big grids)
        data = b"" if answer is None else json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, *args) -> None:
        pass


# ---------------------------------------------------------------- service-account keys for tests
@dataclass(frozen=True)
class TestCredentials:
    path: Path
    email: str
    private_pem: bytes
    public_pem: bytes


_KEY: tuple[bytes, bytes] | None = None
_KEY_LOCK = threading.Lock()


def test_key() -> tuple[bytes, bytes]:
    """An RSA key made at test time (once per process): (private PEM, public PEM)."""
    global _KEY
    with _KEY_LOCK:
        if _KEY is None:
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric import rsa

            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
            public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
            _KEY = (private, public)
        return _KEY


def write_credentials(directory: Path, fake: FakeSheets, email: str | None = None,
                      name: str = "credentials.json") -> TestCredentials:
    """A service-account JSON in `directory` whose token_uri is the fake; its key is registered there.
    Each call makes a new e-mail (a new user, so a fresh quota) unless `email` is given."""
    private, public = test_key()
    email = email or f"worker-{secrets.token_hex(4)}@ita-lamphun-test.iam.gserviceaccount.com"
    fake.register_key(email, public)
    info = {"type": "service_account", "project_id": "ita-lamphun-test", "private_key_id": secrets.token_hex(20),
            "private_key": private.decode(), "client_email": email, "client_id": "000000000000000000000",
            "auth_uri": fake.url + "/auth", "token_uri": fake.token_url,
            "auth_provider_x509_cert_url": fake.url + "/certs", "client_x509_cert_url": fake.url + "/certs/x",
            "universe_domain": "googleapis.com"}
    path = Path(directory) / name
    path.write_text(json.dumps(info))
    path.chmod(0o600)
    return TestCredentials(path, email, private, public)


_SHARED: FakeSheets | None = None


def shared_fake() -> FakeSheets:
    """One fake per test process for harnesses that have no fixture (each test uses its own
    spreadsheet and its own service-account e-mail, so quotas and state do not leak)."""
    global _SHARED
    with _KEY_LOCK:
        if _SHARED is None:
            _SHARED = FakeSheets().start()
        return _SHARED


__all__ = ["FakeSheets", "Seen", "TestCredentials", "write_credentials", "shared_fake", "cell_has_content"]


def as_user(fake: FakeSheets, directory: Path, sid: str, email: str):
    """A person (say an agency's staff, `email`) with whom the spreadsheet is shared, as a gspread HTTP
    client on the fake: `.batch_update(sid, body)` is refused on cells their protections close to them."""
    from sheets_sync.sheet.gsheets import GSheetsBackend
    from sheets_sync.sheet.gsheets_http import RetryPolicy

    creds = write_credentials(directory, fake, email=email, name=f"{email}.json")
    fake.spreadsheet(sid).shared_with.add(email)
    backend = GSheetsBackend(sid, str(creds.path), api_endpoint=fake.url,
                             policy=RetryPolicy(max_attempts=1, base=0.01, cap=0.01, max_total_s=1), timeout=10)
    return backend.http
