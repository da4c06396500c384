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

Each time: exit 3, exactly one line on stderr naming the path, the workbook, the state file's
tables and the status file byte for byte as they were, no probe or temporary file left. And
`status` run by a user who may not read the (0600) status file says whose it is in one line.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zipfile
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
