"""`make demo`: the whole worker against the loopback agency-site farm, no Internet needed.

1. starts the farm (one virtual host per agency, reached through --resolve names);
2. writes a demo config (data/demo/) with 59 agencies and a workbook data/demo.xlsx;
3. fills sample submissions for every agency that exercise every status;
4. runs `sheets-sync sync` against it (the real CLI, with --allow-private for the farm);
5. stops the farm and prints where the workbook is.
"""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402

from sheets_sync import cli  # noqa: E402
from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_SUBMISSIONS  # noqa: E402
from tests.support.farm import Farm  # noqa: E402

DEMO = ROOT / "data" / "demo"
WORKBOOK = ROOT / "data" / "demo.xlsx"

# One scenario per item for each agency, rotated so that every agency shows several statuses.
SCENARIOS = [
    "/oit/O{n}", "/docs/O{n}.pdf", "/oit/O{n}", "/old/O{n}", "/oit/O{n}", "/docs/O{n}.pdf", "/scan/O{n}.pdf",
    "/oit/O{n}", "/gone?item=O{n}", "/missing.html?item=O{n}", "/oit/O{n}", "/drive-private", "/old/O{n}.pdf",
    "/oit/O{n}", "/tiny.pdf", "/waf", "/oit/O{n}", "/empty", "", "/docs/O{n}.pdf", "/news/404", "/bot", "",
    "javascript:void(0)", "/to-private", "/oit/O{n}", "/busy",
    "/uploads/รายงานผลการดำเนินงาน ประจำปี 2566.pdf", "/uploads/o19.pdf (ข้อมูลปี 2566)", "/corrupt.pdf", "/to-file",
    "http://192.168.1.10/ita/O{n}",  # an address copied inside the office's network: blocked, never fetched
]


def agencies() -> list[dict]:
    seed = yaml.safe_load((ROOT / "config" / "agencies.yaml").read_text(encoding="utf-8"))["agencies"]
    out = []
    for a in seed:
        a = dict(a)
        if not a.get("domains"):
            a["domains"] = [a["code"].split("-", 1)[-1] + ".go.th"]
        out.append(a)
    i = 1
    while len(out) < 59:
        out.append({"code": f"demo-{i:02d}", "name": f"เทศบาลตำบลสาธิต {i}", "district": "ลี้", "type": "เทศบาลตำบล",
                    "domains": [f"demo{i:02d}.go.th"]})
        i += 1
    return out


def main() -> int:
    DEMO.mkdir(parents=True, exist_ok=True)
    ags = agencies()
    hosts = [a["domains"][0] if isinstance(a["domains"], list) else a["domains"] for a in ags]
    profiles = {hosts[3]: "soft404", hosts[5]: "flaky", hosts[7]: "slow", hosts[9]: "down", hosts[17]: "dated"}
    with Farm(hosts, latency=0.02, profiles=profiles, slow_s=4) as farm:
        shutil.copy(ROOT / "config" / "oit_items.yaml", DEMO / "oit_items.yaml")
        (DEMO / "agencies.yaml").write_text(yaml.safe_dump({"agencies": ags}, allow_unicode=True, sort_keys=False),
                                            encoding="utf-8")
        settings = yaml.safe_load((ROOT / "config" / "settings.yaml").read_text(encoding="utf-8"))
        settings["backend"]["xlsx_path"] = str(WORKBOOK)
        settings["state_path"] = str(DEMO / "state.sqlite")
        settings["checker"].update(resolve=list(farm.resolve), total_timeout_s=3, read_timeout_s=2,
                                   concurrency=64, backoff_s=0.2, retry_after_cap_s=1)
        config = DEMO / "settings.yaml"
        config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
        for p in (WORKBOOK, DEMO / "state.sqlite"):
            p.unlink(missing_ok=True)
        if cli.main(["--config", str(config), "-q", "init"]) != 0:
            return 1
        fill(farm, ags, hosts)
        code = cli.main(["--config", str(config), "sync", "--fresh", "--allow-private", "127.0.0.0/8"])
        print(f"farm: {farm.count()} requests to {len(hosts)} agency sites on 127.0.0.2:{farm.port}")
    counts = Counter(row for row in statuses())
    print("statuses in the workbook: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"demo workbook: {WORKBOOK}")
    return code


def fill(farm: Farm, ags: list[dict], hosts: list[str]) -> None:
    wb = load_workbook(WORKBOOK)
    ws = wb[TAB_SUBMISSIONS]
    header = [c.value for c in ws[1]]
    col = {k: header.index(h) + 1 for k, h in SUBMISSION_HEADERS.items() if h in header}
    host_of = {a["code"]: h for a, h in zip(ags, hosts)}
    order = {a["code"]: i for i, a in enumerate(ags)}
    for r in range(2, ws.max_row + 1):
        code, item = ws.cell(r, col["agency"]).value, str(ws.cell(r, col["item"]).value or "")
        if code not in host_of or not item.startswith("O"):
            continue
        n = int(item[1:])
        if n == 9:
            text = f"https://www.facebook.com/{code}"  # O9 Social Network: a platform page
        else:
            path = SCENARIOS[(n + 5 * order[code]) % len(SCENARIOS)].format(n=n)
            text = path if not path.startswith("/") else farm.url(host_of[code], path)
        ws.cell(r, col["url"]).value = text or None
    wb.save(WORKBOOK)


def statuses() -> list[str]:
    wb = load_workbook(WORKBOOK, read_only=True)
    ws = wb[TAB_SUBMISSIONS]
    rows = ws.iter_rows(values_only=True)
    header = list(next(rows))
    i = header.index(SUBMISSION_HEADERS["status"])
    return [str(row[i] or "") for row in rows]


if __name__ == "__main__":
    sys.exit(main())
