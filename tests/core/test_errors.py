"""Foreign exceptions that escape their boundary become our errors, each one line with what to do."""

from __future__ import annotations

import errno
import sqlite3

import gspread
import pytest
import requests

from sheets_sync.core.errors import BackendError, StorageError, storage_error, translate


@pytest.mark.parametrize("code, advice", [
    (errno.EACCES, "owner and mode"), (errno.EPERM, "owner and mode"), (errno.ENOSPC, "df -h"),
    (errno.EDQUOT, "df -h"), (errno.EFBIG, "df -h"), (errno.EROFS, "read-only file system"),
    (errno.ENOTDIR, "is a file"), (errno.EIO, "free disk space"),
])
def test_os_errors_name_the_path_and_what_to_do(code, advice):
    err = translate(OSError(code, "some reason", "data/state.sqlite"))
    assert isinstance(err, StorageError) and err.exit_code == 3
    assert "data/state.sqlite" in str(err) and advice in str(err) and "\n" not in str(err)


def test_sqlite_errors_are_about_the_state_file():
    err = translate(sqlite3.OperationalError("attempt to write a readonly database"), "data/state.sqlite")
    assert isinstance(err, StorageError) and "data/state.sqlite" in str(err) and "owner and mode" in str(err)
    full = storage_error(sqlite3.OperationalError("database or disk is full"), "data/state.sqlite")
    assert "df -h data" in str(full)


def test_google_and_network_errors_are_backend_errors_with_secrets_redacted():
    response = requests.Response()
    response.status_code = 500
    response._content = b'{"error": {"code": 500, "message": "Authorization: Bearer ya29.leaked-token-value"}}'
    err = translate(gspread.exceptions.APIError(response))
    assert isinstance(err, BackendError) and err.exit_code == 3 and "ya29.leaked" not in str(err)
    network = translate(requests.ConnectionError("connection refused"))
    assert isinstance(network, BackendError) and not isinstance(network, StorageError)


def test_our_own_errors_pass_and_unknown_ones_stay_unknown():
    ours = StorageError("x")
    assert translate(ours) is ours
    assert translate(ZeroDivisionError("bug")) is None


def test_a_full_folder_is_named_itself_in_the_df_advice(tmp_path):
    """The start-of-run check names the data folder itself: `df -h` of its parent is another disk
    when data/ is mounted on its own."""
    folder = tmp_path / "data"
    folder.mkdir()
    full = storage_error(OSError(errno.ENOSPC, "No space left on device"), folder, "write in the folder")
    assert f"`df -h {folder}`" in str(full)
