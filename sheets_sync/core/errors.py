"""Our own small error tree. Foreign exceptions are translated into these at the boundary
(config loading, backends); the CLI maps each class to one exit code."""


class SheetsSyncError(Exception):
    """Base of every error the worker raises on purpose."""

    exit_code = 1


class ConfigError(SheetsSyncError):
    """A config file is missing, malformed or inconsistent. The message names the file and the key."""

    exit_code = 2


class UsageError(SheetsSyncError):
    """The command line asks for something that cannot be done (unknown agency code ...)."""

    exit_code = 2


class BackendError(SheetsSyncError):
    """The sheet could not be read or written (missing file, wrong layout, API refused)."""

    exit_code = 3


class DeliveryError(SheetsSyncError):
    """The mail server could not be reached, refused us, or refused messages (reminders)."""

    exit_code = 3


class LockBusy(SheetsSyncError):
    """Another run holds the lock."""

    exit_code = 4


class StorageError(SheetsSyncError):
    """A local file or folder the run needs (state file, lock, status file, workbook folder) cannot
    be read or written: wrong owner or mode, a read-only or full disk. The message names the path
    and what to do."""

    exit_code = 3


def storage_error(e: BaseException, path: object, doing: str = "write") -> StorageError:
    """`e` (an OSError or sqlite3 error) about `path`, as one line that says what to do."""
    import errno
    import os

    code = getattr(e, "errno", None)
    reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
    where = str(path)
    text = str(e).lower()
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or "disk is full" in text or "database or disk" in text:
        # a folder is its own place (its parent may be another disk: data/ mounted on its own)
        place = where if os.path.isdir(where) else (os.path.dirname(where) or ".")
        advice = (f"the disk (or a file-size limit) is full: free space where it lives "
                  f"(`df -h {place}`), then run again")
    elif code == errno.EROFS:
        advice = ("it is on a read-only file system (or opened read-only): put it on a writable disk "
                  "(systemd: ReadWritePaths=) or fix the mount")
    elif code in (errno.EACCES, errno.EPERM) or any(w in text for w in ("readonly", "unable to open", "permission")):
        who = f"uid {os.geteuid()}" if hasattr(os, "geteuid") else "this user"
        advice = (f"the worker runs as {who} and needs read and write access: check its owner and mode "
                  f"(`ls -ld {where}`; `chown` it to the service user, `chmod u+rw`)")
    elif code in (errno.ENOTDIR, errno.EISDIR, errno.ENOENT, errno.EEXIST):
        advice = "a folder on the way is missing or is a file: fix the path in config/settings.yaml or create it"
    else:
        advice = "check its owner, mode and the free disk space"
    return StorageError(f"cannot {doing} {where}: {reason}; {advice}")


def translate(e: BaseException, state_path: object = None) -> SheetsSyncError | None:
    """A foreign exception that escaped its boundary, as our error (None when it is not one we
    know): OSError and sqlite3 errors are StorageError, gspread/google-auth/requests errors
    BackendError. The last net under the boundaries that translate with more context."""
    import sqlite3

    if isinstance(e, SheetsSyncError):
        return e
    if isinstance(e, sqlite3.Error):
        return storage_error(e, state_path or "the state file", "use")
    if isinstance(e, OSError) and not _is_network(e):
        return storage_error(e, e.filename or "a local file", "read or write")
    module = type(e).__module__ or ""
    if module.startswith(("gspread", "google.auth", "google.oauth2", "requests", "urllib3")) or _is_network(e):
        from sheets_sync.core.redact import redact

        return BackendError(redact(f"Google Sheets: {type(e).__name__}: {e}"))
    return None


def _is_network(e: BaseException) -> bool:
    import socket

    return isinstance(e, (ConnectionError, TimeoutError, socket.gaierror)) or \
        (type(e).__module__ or "").startswith(("requests", "urllib3"))


class MissingTool(SheetsSyncError):
    """A program the command needs is not installed (e.g. Chromium for `report --format pdf`);
    the message says in one line what to install."""

    exit_code = 7  # 5 and 6 are check's verdict codes
