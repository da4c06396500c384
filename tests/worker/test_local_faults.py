"""Local faults stop a run at once, in one line, before any URL is requested (issue 11).

Each case is a real `sheets-sync sync` process against a real workbook, with URLs that point at
the loopback farm, so "no URL was requested" is counted where requests arrive. The faults are
real, for root too (CI runs as root, and root ignores file modes):

* read-only state file / lock file / data folder / workbook folder: file modes, with the child's
  CAP_DAC_OVERRIDE dropped when the tests run as root (tests/support/limits.py);
* a full disk: RLIMIT_FSIZE of the child, so its writes fail with EFBIG as a full disk's fail
  with ENOSPC (a tiny tmpfs would need a mount);
* a workbook replaced in place while it is read: a copy over the file that has started but not
  finished when openpyxl reads its members (zipfile's open is wrapped to start the copy then).
* a workbook whose copy is paused for the whole read (a writer thread held by an event after its
  first chunk): a short zip that does not change while it is read, being copied, not damaged.

Each time: exit 3, exactly one line on stderr naming the path, the workbook, the state file's
tables and the status file byte for byte as they were, no probe or temporary file left. And
`status` run by a user who may not read the (0600) status file says whose it is in one line.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.cli import cli
from tests.support.farm import Farm
from tests.support.limits import file_size_limit, modes_bind, modes_bind_here
from tests.support.workdir import keep_agencies, make_workdir, put_urls

HOST = "tapladuk.go.th"




def dump(db_path: Path) -> list[str]:
    # immutable: reading must not leave -wal/-shm files beside it (the worker closed it cleanly)
    with sqlite3.connect(f"file:{db_path}?immutable=1", uri=True) as db:
        return list(db.iterdump())


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def farm():
    with Farm([HOST]) as f:
        yield f


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, farm):
    """A work folder after `init` and one good sync of five URLs on the farm (made once)."""
    workdir = make_workdir(tmp_path_factory.mktemp("prepared"))
    keep_agencies(workdir, 2)
    settings = workdir / "config" / "settings.yaml"
    # The workbook in its own folder, so its folder's fault is told apart from data/'s.
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "xlsx_path: data/oit-{year}.xlsx", "xlsx_path: book/oit-{year}.xlsx"), encoding="utf-8")
    assert cli(workdir, "init").returncode == 0
    put_urls(workdir / "book" / "oit-2566.xlsx", [farm.url(HOST, f"/oit/O{n}") for n in range(1, 6)])
    first = sync(workdir, farm)
    assert first.returncode == 0, first.stderr
    assert farm.count() >= 5
    return workdir


@pytest.fixture
def synced(prepared, farm, tmp_path):
    """A copy of the prepared work folder, the farm's counts at 0; yields (workdir, farm)."""
    workdir = tmp_path / "work"
    shutil.copytree(prepared, workdir)
    farm.reset_counts()
    return workdir, farm


def sync(workdir: Path, farm: Farm, **popen):
    return cli(workdir, "sync", *[a for r in farm.resolve for a in ("--resolve", r)], **popen)


def assert_one_line_exit_3_nothing_written(done, farm, workdir, before, names: str) -> None:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 3, done.stderr
    assert len(lines) == 1, done.stderr
    assert names in lines[0], lines[0]
    assert "Traceback" not in done.stderr
    assert farm.count() == 0  # not one URL was requested
    data = files(workdir / "data")
    status_file = data.pop("worker-status.json", None)
    assert data == {k: v for k, v in before["data"].items() if k != "worker-status.json"}
    assert files(workdir / "book") == before["book"]
    if status_file != before["data"].get("worker-status.json"):  # where it can be written, `status` tells
        last = json.loads(status_file)
        assert last["last_run"]["outcome"] == "failed" and last["consecutive_failures"] >= 1
        assert last["last_run"]["error"] in lines[0]


def snapshot(workdir: Path) -> dict:
    return {"data": files(workdir / "data"), "book": files(workdir / "book"),
            "tables": dump(workdir / "data" / "state-2566.sqlite")}


READ_ONLY = {
    # what -> (path made read-only, its mode, the words the line must name)
    "state file": ("data/state-2566.sqlite", 0o444, "data/state-2566.sqlite"),
    "lock file": ("data/sheets-sync.lock", 0o444, "data/sheets-sync.lock"),
    "data folder": ("data", 0o555, "data"),
    "workbook folder": ("book", 0o555, "book"),
}


@pytest.mark.parametrize("what", list(READ_ONLY))
def test_a_read_only_local_path_stops_the_run_before_any_url(synced, what):
    works, why = modes_bind_here()
    if not works:
        pytest.skip(why)
    workdir, farm = synced
    rel, mode, names = READ_ONLY[what]
    path = workdir / rel
    if what == "lock file":  # left by a run killed long ago, owned by someone else in real life
        path.write_text("4242\nsync\n2023-01-15T09:00:00+07:00\n")
    before = snapshot(workdir)
    old = path.stat().st_mode & 0o777
    path.chmod(mode)
    try:
        done = sync(workdir, farm, preexec_fn=modes_bind())
    finally:
        path.chmod(old)
    assert_one_line_exit_3_nothing_written(done, farm, workdir, before, names)
    assert "owner and mode" in done.stderr  # what to do
    assert dump(workdir / "data" / "state-2566.sqlite") == before["tables"]


def test_a_full_disk_stops_the_run_before_any_url(synced):
    """RLIMIT_FSIZE (2 KiB) in the child: its first write past 2 KiB fails with EFBIG. The status
    file (under 2 KiB) says the run failed: it said "Last run succeeded" while every run failed."""
    workdir, farm = synced
    before = snapshot(workdir)
    done = sync(workdir, farm, preexec_fn=file_size_limit(2048))
    assert_one_line_exit_3_nothing_written(done, farm, workdir, before, "data")
    assert "File too large" in done.stderr and "df -h" in done.stderr
    told = cli(workdir, "status")
    assert "failed" in told.stdout.lower() and "File too large" in told.stdout, told.stdout
    assert dump(workdir / "data" / "state-2566.sqlite") == before["tables"]



@pytest.mark.parametrize("copy_finishes", [False, True], ids=["copy-still-running", "copy-finished"])
def test_a_workbook_replaced_during_the_read(synced, monkeypatch, capsys, restore_root_logging, copy_finishes):
    """Someone copies another workbook over ours (in place, not by rename) while the worker reads
    it: openpyxl has read the zip's directory of the old file and then reads members of the new
    one. Still being copied: exit 3, one line, nothing written, no URL requested. Copy finished
    by then: the worker notices the file changed, reads it again and syncs the new workbook."""
    from sheets_sync import cli as main

    workdir, farm = synced
    book = workdir / "book" / "oit-2566.xlsx"
    # The workbook being copied over ours: the agencies changed their URLs meanwhile.
    other = workdir / "other.xlsx"
    other.write_bytes(book.read_bytes())
    put_urls(other, [farm.url(HOST, f"/docs/O{n}.pdf") for n in range(1, 4)])
    new = other.read_bytes()
    before = snapshot(workdir)
    real_open = zipfile.ZipFile.open
    copied = []

    def open_member(self, name, *args, **kwargs):
        if not copied and Path(getattr(self, "filename", "") or "").name == book.name:
            copied.append(name)
            with open(book, "r+b") as f:  # `cp other.xlsx book.xlsx`: truncate, then write
                f.truncate(0)
                f.write(new if copy_finishes else new[: len(new) // 2])
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_member)
    monkeypatch.chdir(workdir)
    code = main.main(["--config", "config/settings.yaml", "sync",
                      *[a for r in farm.resolve for a in ("--resolve", r)]])
    _, err = capsys.readouterr()
    assert copied, "the copy was started during the read"
    if copy_finishes:
        assert code == 0, err
        assert farm.count(HOST, "/docs/O1.pdf") == 1 and farm.count(HOST, "/oit/O1") == 0
        return
    lines = err.strip().splitlines()
    assert code == 3 and len(lines) == 1, err
    assert "was being replaced while it was read" in lines[0] and str(book.name) in lines[0]
    assert farm.count() == 0
    assert book.read_bytes() == new[: len(new) // 2]  # as the copy left it: the worker wrote nothing
    assert dump(workdir / "data" / "state-2566.sqlite")[:1] and not [
        p for p in (workdir / "book").iterdir() if p.name != book.name]
    history = [line for line in dump(workdir / "data" / "state-2566.sqlite") if "history_" in line]
    assert history == [line for line in before["tables"] if "history_" in line]


class PausedCopy(threading.Thread):
    """`cp other.xlsx book.xlsx` on a slow disk or a share: the file truncated, its first `chunk`
    bytes written, then a pause (until `go`) before the rest. `paused` is set once the file holds
    exactly the first chunk, so a run started then reads a short zip that does not change under it."""

    def __init__(self, book: Path, new: bytes, chunk: int) -> None:
        super().__init__(daemon=True)
        self.book, self.new, self.chunk = book, new, chunk
        self.paused, self.go = threading.Event(), threading.Event()

    def run(self) -> None:
        with open(self.book, "r+b") as f:
            f.truncate(0)
            f.write(self.new[: self.chunk])
            f.flush()
            self.paused.set()
            assert self.go.wait(60), "the test never let the copy go on"
            f.write(self.new[self.chunk:])


def other_workbook(workdir: Path, farm: Farm) -> bytes:
    """Another copy of the workbook, whose agencies changed their URLs meanwhile."""
    book = workdir / "book" / "oit-2566.xlsx"
    other = workdir / "other.xlsx"
    other.write_bytes(book.read_bytes())
    put_urls(other, [farm.url(HOST, f"/docs/O{n}.pdf") for n in range(1, 4)])
    return other.read_bytes()


@pytest.mark.parametrize("copied", [0, 1, 2], ids=["just-truncated", "a-third-copied", "two-thirds-copied"])
def test_a_workbook_being_copied_when_the_run_reads_it_is_read_again_next_run(synced, copied):
    """The copy over ours is paused (a slow disk, a network share, scp) for the whole read: the file
    is a short zip that does not change while it is read. It was "cannot be read ... move it away
    and run `sheets-sync init`", and following that replaced a workbook that was only being copied
    with an empty one. Now: exit 3, one line saying it is being written or copied, nothing written,
    no URL requested; once the copy finishes the next run reads the new workbook."""
    workdir, farm = synced
    book = workdir / "book" / "oit-2566.xlsx"
    new = other_workbook(workdir, farm)
    before = snapshot(workdir)
    copy = PausedCopy(book, new, len(new) * copied // 3)
    copy.start()
    try:
        assert copy.paused.wait(60)
        partial = book.read_bytes()
        assert partial == new[: len(new) * copied // 3]
        done = sync(workdir, farm)
        assert book.read_bytes() == partial, "the copy was paused for the whole run"
    finally:
        copy.go.set()
        copy.join(60)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 3 and len(lines) == 1, done.stderr
    assert "is being written or copied right now" in lines[0] and book.name in lines[0], lines[0]
    assert "nothing was written" in lines[0] and "the next run reads it again" in lines[0]
    assert "init" not in lines[0] and "move it away" not in lines[0]
    assert farm.count() == 0
    assert files(workdir / "book") == {book.name: new}  # the copy's, whole: the run wrote nothing
    history = [line for line in dump(workdir / "data" / "state-2566.sqlite") if "history_" in line]
    assert history == [line for line in before["tables"] if "history_" in line]
    again = sync(workdir, farm)  # the next run, the copy finished
    assert again.returncode == 0, again.stderr
    assert farm.count(HOST, "/docs/O1.pdf") == 1 and farm.count(HOST, "/oit/O1") == 0


def test_the_worker_loop_reads_a_workbook_being_copied_again_at_its_next_run(synced, monkeypatch, caplog):
    """`run`: the first run finds the copy paused half-way, logs that the workbook is being written
    or copied and retries a minute later (no advice to init); the copy finished meanwhile, the
    retry syncs the new workbook. A FixedClock and a sleep that only records: no real waiting."""
    from sheets_sync.config.settings import load_config
    from sheets_sync.core.clock import BANGKOK, FixedClock
    from sheets_sync.worker.loop import Worker
    from sheets_sync.worker.stopper import Stopper

    workdir, farm = synced
    book = workdir / "book" / "oit-2566.xlsx"
    new = other_workbook(workdir, farm)
    monkeypatch.chdir(workdir)
    config = load_config("config/settings.yaml")
    checker = config.settings.checker
    config = config.with_settings(
        checker=dataclasses.replace(checker, resolve=checker.resolve + tuple(farm.resolve)),
        schedule=dataclasses.replace(config.settings.schedule, watch_seconds=0, quiet_hours=""))
    clock, stopper, slept = FixedClock(datetime(2023, 1, 10, 10, 0, tzinfo=BANGKOK)), Stopper(), []
    copy = PausedCopy(book, new, len(new) // 2)

    def sleep(seconds: float) -> None:  # between runs: the copy goes on and finishes
        slept.append(round(seconds))
        copy.go.set()
        copy.join(60)
        clock.advance(seconds)
        if worker.runs >= 2:
            stopper.request_stop("test")

    worker = Worker(lambda: config, clock=clock, stopper=stopper, sleep=sleep)
    copy.start()
    try:
        assert copy.paused.wait(60)
        with caplog.at_level(logging.INFO, logger="sheets_sync"):
            assert worker.loop() == 0
    finally:
        copy.go.set()
        copy.join(60)
    failed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("run 1 failed")]
    assert len(failed) == 1 and "is being written or copied right now" in failed[0], caplog.text
    assert "init" not in failed[0] and "move it away" not in failed[0]
    assert slept[0] == 60  # the retry, a minute later
    assert worker.runs == 2 and worker.failures == 0 and "run 2 ok" in caplog.text
    assert farm.count(HOST, "/docs/O1.pdf") == 1 and farm.count(HOST, "/oit/O1") == 0


def test_a_damaged_workbook_not_changed_lately_keeps_the_advice_to_restore_it(synced):
    """The same short zip, last changed an hour ago: nothing is copying it any more, it is damaged.
    The advice stays: restore it from a copy or move it away and run init."""
    workdir, farm = synced
    book = workdir / "book" / "oit-2566.xlsx"
    new = other_workbook(workdir, farm)
    book.write_bytes(new[: len(new) // 2])
    an_hour_ago = time.time() - 3600
    os.utime(book, (an_hour_ago, an_hour_ago))
    damaged = book.read_bytes()
    done = sync(workdir, farm)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 3 and len(lines) == 1, done.stderr
    assert farm.count() == 0 and files(workdir / "book") == {book.name: damaged}
    assert "cannot be read (BadZipFile" in done.stderr
    assert "restore it from a copy or move it away and run `sheets-sync init`" in done.stderr
    assert "being written or copied" not in done.stderr


def test_a_path_that_is_a_file_is_one_line_too(synced):
    """state_path's folder is a file: exit 3 at once, one line, before the workbook is read."""
    workdir, farm = synced
    settings = workdir / "config" / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "state_path: data/state-{year}.sqlite", "state_path: book/oit-{year}.xlsx/state.sqlite"), encoding="utf-8")
    before = snapshot(workdir)
    done = sync(workdir, farm)
    assert_one_line_exit_3_nothing_written(done, farm, workdir, before, "book/oit-2566.xlsx")
    assert os.path.isfile(workdir / "book" / "oit-2566.xlsx")


def test_status_of_a_status_file_it_may_not_read_says_whose_it_is(synced):
    works, why = modes_bind_here()
    if not works:
        pytest.skip(why)
    workdir, _ = synced
    status_file = workdir / "data" / "worker-status.json"
    status_file.chmod(0o000)  # another user's private file, as seen by this one
    try:
        done = cli(workdir, "status", preexec_fn=modes_bind())
    finally:
        status_file.chmod(0o600)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 3 and len(lines) == 1, done.stderr
    assert "data/worker-status.json" in lines[0] and "sudo -u sheets-sync" in lines[0]
    assert "No run has been recorded" not in done.stdout
