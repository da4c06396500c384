"""Threads of a stage's own for the blocking calls the checker's loop waits on (DNS lookups,
lenient reads), never the loop's default pool: one slow site's blocking calls must not make
every other check wait for a thread."""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable


class OwnThreads:
    """Up to `size` threads named `name`-N, made on first use (0: the loop's default pool)."""

    def __init__(self, size: int, name: str) -> None:
        self.size, self.name = size, name
        self._pool: ThreadPoolExecutor | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future:
        """`fn(*args)` on these threads, as a future of the running loop."""
        if self._pool is None and self.size:
            self._pool = ThreadPoolExecutor(self.size, thread_name_prefix=self.name)
        return asyncio.get_running_loop().run_in_executor(self._pool, functools.partial(fn, *args))

    def close(self) -> None:
        """Lets the threads go; a call under way ends by its own timeout."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
