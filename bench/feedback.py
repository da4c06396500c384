"""`make bench` line `feedback`: how soon an agency sees the verdict on a URL it pasted (issue 14).

The real worker loop (`sheets-sync run`: full syncs on their schedule plus the light watch) runs against
the local Sheets API fake (real gspread and google-auth) with the full 59 x 43 sheet, and checks URLs
against the loopback farm of 59 agency sites (150 ms latency) with the real checker. After the first
full sync, agencies paste 200 URLs into empty rows at random moments over 10 minutes (seeded).

Time is virtual but honest: the clock runs at real speed while the worker works (reading, checking,
writing all take their real time) and only the worker's idle sleeps are skipped; pastes that fall in a
sleep happen at their own moment. A paste that falls while the worker is busy is applied when it next
sleeps, stamped with its planned moment, so such latencies are over-counted, never under-counted. A
verdict counts from the first moment the worker is idle after it is on the sheet.

Reported: paste-to-verdict p50/p95/max (target p95 <= 120 s) and the Sheets requests per minute over
the 10 minutes (target <= 10 reads and <= 5 writes a minute on average). Loopback only."""

from __future__ import annotations

import dataclasses
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sheets_sync.config.settings import Agency, ScheduleSettings, load_config  # noqa: E402
from sheets_sync.core.clock import BANGKOK  # noqa: E402
from sheets_sync.core.models import Status  # noqa: E402
from sheets_sync.sheet import grid as g  # noqa: E402
from sheets_sync.sheet.gsheets import GSheetsBackend  # noqa: E402
from sheets_sync.sheet.layout import SUBMISSION_HEADERS, TAB_SUBMISSIONS  # noqa: E402
from sheets_sync.pipeline.sync import sync as real_sync  # noqa: E402
from sheets_sync.worker.loop import Worker  # noqa: E402
from sheets_sync.worker.runner import run_watch  # noqa: E402
from sheets_sync.worker.stopper import Stopper  # noqa: E402
from tests.support.fake_sheets import FakeSheets, write_credentials  # noqa: E402
from tests.support.farm import Farm  # noqa: E402
from tests.support.sheets import apply_to_fake  # noqa: E402

PASTES = 200
WINDOW_S = 600
TAIL_S = 240  # after the window, time for the last pastes' verdicts
START = datetime(2023, 1, 30, 9, 0, tzinfo=BANGKOK)  # round 1's last days: full syncs every 10 minutes
SEED = 14


class VirtualClock:
    """Real seconds while working; sleeps skipped ahead."""

    def __init__(self, start: datetime) -> None:
        self.start, self.real0, self.skipped = start, time.perf_counter(), 0.0

    def seconds(self) -> float:
        return time.perf_counter() - self.real0 + self.skipped

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds())


def timed(fn, durations: list[float]):
    """`fn`, appending each call's wall time to `durations`."""
    def call(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            durations.append(time.perf_counter() - t0)
    return call


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    rnd = random.Random(SEED)
    base = load_config(ROOT / "config" / "settings.yaml")
    with Farm(59, latency=0.15) as farm, tempfile.TemporaryDirectory() as tmp:
        clock = VirtualClock(START)
        fake = FakeSheets(clock=clock.seconds).start()
        try:
            hosts = farm.hosts
            agencies = tuple(Agency(code=f"lp{n:02d}", name=f"หน่วยงาน {n}", district="เมืองลำพูน",
                                    type="เทศบาลตำบล", domains=(hosts[n - 1],)) for n in range(1, 60))
            checker = dataclasses.replace(base.settings.checker, resolve=farm.resolve, allow_private=farm.allow)
            config = dataclasses.replace(base, agencies=agencies).with_settings(
                state_path=str(Path(tmp) / "state.sqlite"), checker=checker,
                schedule=ScheduleSettings(every_minutes=30, near_deadline_every_minutes=10, near_deadline_days=3,
                                          watch_seconds=60))
            host_of = {a.code: a.domains[0] for a in agencies}
            creds = write_credentials(Path(tmp), fake)
            sid = fake.create_spreadsheet(shared_with=[creds.email])
            backend = GSheetsBackend(sid, str(creds.path), api_endpoint=fake.url)
            backend.ensure_layout(config.catalog, config.agencies)

            empty: list[tuple[str, str]] = []

            def prefill(e) -> None:  # a third of the rows already have URLs, some of them broken
                for i, row in enumerate(e.grid[1:], start=1):
                    code, item = g.text(row[e.cols["agency"]]), g.text(row[e.cols["item"]])
                    if i % 3 == 0:
                        path = f"/oit/{item}" if i % 15 else "/gone"
                        e.set_url(code, item, farm.url(host_of[code], path))
                    else:
                        empty.append((code, item))
            apply_to_fake(fake, sid, prefill)
            chosen = rnd.sample(empty, PASTES)
            plan: list[tuple[float, str, str, str]] = []  # (offset in window, agency, item, url)
            for code, item in chosen:
                path = rnd.choice([f"/oit/{item}"] * 6 + [f"/docs/{item}.pdf", f"/old/{item}", "/gone", "/"])
                plan.append((rnd.uniform(0, WINDOW_S), code, item, farm.url(host_of[code], path)))
            plan.sort()

            stopper = Stopper()
            state: dict = {"window0": None, "log0": 0, "log1": None, "pasted": {}, "verdict": {}, "sleeps": 0}
            status_col = url_col = None

            def observe(now_s: float) -> None:
                nonlocal status_col, url_col
                grid = fake.sheet(sid, TAB_SUBMISSIONS).grid()
                head = [g.text(c) for c in grid[0]]
                a, i = head.index(SUBMISSION_HEADERS["agency"]), head.index(SUBMISSION_HEADERS["item"])
                status_col = head.index(SUBMISSION_HEADERS["status"])
                shown = {(g.text(r[a]), g.text(r[i])): g.text(g.cell(r, status_col)) for r in grid[1:]}
                for key in state["pasted"]:
                    if key not in state["verdict"] and shown.get(key) not in ("", Status.EMPTY.label_th, None):
                        state["verdict"][key] = (now_s, shown[key])

            def sleep(seconds: float) -> None:
                # The bench's own bookkeeping (reading the fake, playing the agencies) is not the
                # worker's time: the clock is held still while it runs.
                held = time.perf_counter()
                state["sleeps"] += 1
                now_s = clock.seconds()
                if state["window0"] is None:  # the first full sync is done: the agencies start pasting
                    state["window0"], state["log0"] = now_s, len(fake.log)
                w0 = state["window0"]
                observe(now_s)
                end_s = now_s + seconds
                batch = []
                while plan and w0 + plan[0][0] <= end_s:
                    offset, code, item, url = plan.pop(0)
                    batch.append((code, item, url))
                    state["pasted"][(code, item)] = w0 + offset  # its planned moment (never later)
                if batch:
                    apply_to_fake(fake, sid, lambda e: [e.set_url(c, it, u) for c, it, u in batch])
                if state["log1"] is None and end_s >= w0 + WINDOW_S:
                    state["log1"] = len(fake.log)
                clock.skipped += seconds - (time.perf_counter() - held)
                done = not plan and len(state["verdict"]) == len(state["pasted"])
                if clock.seconds() >= w0 + WINDOW_S + TAIL_S or (done and clock.seconds() >= w0 + WINDOW_S):
                    stopper.request_stop("bench")

            pass_s: list[float] = []
            sync_s: list[float] = []
            worker = Worker(lambda: config, clock=clock, stopper=stopper, sleep=sleep, backend=backend,
                            watch_fn=timed(run_watch, pass_s), sync_fn=timed(real_sync, sync_s))
            real0 = time.perf_counter()
            worker.loop()
            wall = time.perf_counter() - real0
            log1 = state["log1"] if state["log1"] is not None else len(fake.log)
            window = fake.log[state["log0"]:log1]
            minutes = WINDOW_S / 60
            lat = [state["verdict"][k][0] - t for k, t in state["pasted"].items() if k in state["verdict"]]
            verdicts: dict[str, int] = {}
            for _, label in state["verdict"].values():
                verdicts[label] = verdicts.get(label, 0) + 1
            reads = sum(1 for s in window if s.kind == "read") / minutes
            writes = sum(1 for s in window if s.kind == "write") / minutes
            p95 = percentile(lat, 95) if lat else None
            out = {
                "bench": "feedback", "rows": len(config.agencies) * len(config.catalog.items), "pastes": PASTES,
                "window_s": WINDOW_S, "pasted": len(state["pasted"]), "verdicts": len(lat),
                "p50_s": round(statistics.median(lat), 1) if lat else None,
                "p95_s": round(p95, 1) if p95 is not None else None,
                "max_s": round(max(lat), 1) if lat else None,
                "reads_per_min": round(reads, 2), "writes_per_min": round(writes, 2),
                "full_syncs": worker.runs, "watch_passes": worker.watches, "verdict_labels": verdicts,
                "watch_pass_s_median": round(statistics.median(pass_s), 2) if pass_s else None,
                "watch_pass_s_max": round(max(pass_s), 2) if pass_s else None,
                "full_sync_s": [round(x, 1) for x in sync_s],
                "wall_s": round(wall, 1),
                "meets_p95_120s": p95 is not None and p95 <= 120 and len(lat) == PASTES,
                "meets_quota": reads <= 10 and writes <= 5,
            }
            print(json.dumps(out, ensure_ascii=False), flush=True)
        finally:
            fake.stop()


if __name__ == "__main__":
    main()
