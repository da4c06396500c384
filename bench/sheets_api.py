"""`make bench` line `sheets_api`: Sheets API requests and wall time of a first sync and of an
unchanged second sync of the full 59 x 43 sheet (2,537 rows), with the real gspread and
google-auth against the local fake (loopback only). Prints one JSON line."""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sheets_sync.config.settings import Agency, load_config  # noqa: E402
from sheets_sync.core.clock import BANGKOK, FixedClock  # noqa: E402
from sheets_sync.pipeline.sync import sync  # noqa: E402
from sheets_sync.sheet.gsheets import GSheetsBackend  # noqa: E402
from tests.support.fake_sheets import FakeSheets, write_credentials  # noqa: E402
from tests.support.sheets import apply_to_fake  # noqa: E402


class NoChecker:
    def check_many(self, urls, progress=None):
        return {}

    def close(self) -> None:
        pass


def main() -> None:
    base = load_config(ROOT / "config" / "settings.yaml")
    agencies = tuple(Agency(code=f"lp{n:02d}", name=f"หน่วยงาน {n}", district="เมืองลำพูน",
                            domains=(f"lp{n:02d}.go.th",)) for n in range(1, 60))
    config = dataclasses.replace(base, agencies=agencies)
    with FakeSheets() as fake, tempfile.TemporaryDirectory() as tmp:
        creds = write_credentials(Path(tmp), fake)
        sid = fake.create_spreadsheet(shared_with=[creds.email])
        backend = GSheetsBackend(sid, str(creds.path), api_endpoint=fake.url)
        backend.ensure_layout(config.catalog, config.agencies)

        def urls(e):
            for i, row in enumerate(e.grid[1:], start=1):
                if i % 3 == 0:
                    while len(row) <= e.cols["url"]:
                        row.append(None)
                    row[e.cols["url"]] = f"https://{row[e.cols['agency']]}.go.th/ita/{i}"
        apply_to_fake(fake, sid, urls)
        clock = FixedClock(datetime(2023, 1, 20, 9, 0, tzinfo=BANGKOK))
        out = {"bench": "sheets_api", "rows": 59 * 43}
        for name in ("first", "unchanged"):
            since, start = len(fake.log), time.perf_counter()
            sync(config, backend, NoChecker(), clock)
            out[f"{name}_s"] = round(time.perf_counter() - start, 3)
            out[f"{name}_reads"] = fake.count("read", since)
            out[f"{name}_writes"] = fake.count("write", since)
            out[f"{name}_max_body_bytes"] = max((s.body_bytes for s in fake.requests(since)), default=0)
            clock.advance(600)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
