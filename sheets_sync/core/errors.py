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
