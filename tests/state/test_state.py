"""The state file is a cache and a log: it survives restarts, and a corrupt one is rebuilt."""

from __future__ import annotations

from sheets_sync.state.store import State, register_schema

register_schema("test_state_kv", "CREATE TABLE IF NOT EXISTS test_state_kv (k TEXT PRIMARY KEY, v TEXT);")


def test_committed_rows_survive_reopening(tmp_path):
    path = tmp_path / "state.sqlite"
    with State(path) as s, s.transaction() as db:
        db.execute("INSERT INTO test_state_kv VALUES ('a', 'b')")
    with State(path) as s:
        assert s.db.execute("SELECT v FROM test_state_kv WHERE k='a'").fetchone() == ("b",)
        assert s.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_failed_transaction_is_rolled_back(tmp_path):
    with State(tmp_path / "state.sqlite") as s:
        try:
            with s.transaction() as db:
                db.execute("INSERT INTO test_state_kv VALUES ('x', 'y')")
                raise RuntimeError("killed half-way")
        except RuntimeError:
            pass
        assert s.db.execute("SELECT count(*) FROM test_state_kv").fetchone() == (0,)


def test_corrupt_file_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "state.sqlite"
    path.write_bytes(b"this is not sqlite" * 500)
    with State(path) as s:
        assert s.db.execute("SELECT count(*) FROM test_state_kv").fetchone() == (0,)
        assert s.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert (tmp_path / "state.sqlite.corrupt").read_bytes().startswith(b"this is not sqlite")


def test_an_upgraded_vm_keeps_its_history_in_the_per_year_file(tmp_path):
    legacy = tmp_path / "state.sqlite"
    with State(legacy) as old:
        with old.transaction() as db:
            db.execute("CREATE TABLE kept (x TEXT)")
            db.execute("INSERT INTO kept VALUES ('2566 history')")
    with State(tmp_path / "state-2566.sqlite") as state:
        assert state.db.execute("SELECT x FROM kept").fetchall() == [("2566 history",)]
    assert not legacy.exists()
    # another year's file starts empty and leaves a legacy file alone
    legacy.write_bytes((tmp_path / "state-2566.sqlite").read_bytes())
    with State(tmp_path / "state-2570.sqlite") as state:
        assert state.db.execute("SELECT name FROM sqlite_master WHERE name = 'kept'").fetchall() == []
    assert legacy.exists()


def test_a_second_corruption_keeps_the_first_ones_copy(tmp_path):
    """The first copy may be the one holding the history worth rescuing; it was overwritten."""
    path = tmp_path / "state.sqlite"
    for junk in (b"first damage", b"second damage"):
        path.write_bytes(junk * 500)
        with State(path):
            pass
    assert (tmp_path / "state.sqlite.corrupt").read_bytes().startswith(b"first damage")
    assert (tmp_path / "state.sqlite.corrupt2").read_bytes().startswith(b"second damage")
