"""Processes that end with the one that started them.

``inspection serve`` starts a ``redis-server`` and is itself started by a terminal, a launcher
(``uv run``, an IDE) or a script. Signals it can catch it handles itself (see ``cli.serve``);
these two helpers cover the deaths nobody can catch: its parent's, and its own by SIGKILL.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from collections.abc import Callable

# <linux/prctl.h>: the signal the kernel sends a process when the thread that forked it ends.
_PR_SET_PDEATHSIG = 1


def parent_death_signal(signum: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` for ``subprocess.Popen`` after which the kernel sends the child ``signum``
    when this process dies, however it dies (SIGKILL included); None where that cannot hold.

    Linux only (``prctl(PR_SET_PDEATHSIG)``), and only from the main thread: the kernel watches
    the thread that forked, and the main thread lives as long as the process. The C function is
    looked up here, before the fork, so the child only calls it.
    """
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def in_child() -> None:
        if prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:  # the parent died between the fork and the request
            os.kill(os.getpid(), signum)

    return in_child


def signal_when_orphaned(signum: int, *, every: float = 1.0) -> None:
    """Send this process ``signum`` once its parent has died (checked ``every`` seconds).

    A process whose parent dies is adopted by another, so its parent id changes. A process
    already adopted by init at the start has no parent to lose and is not watched.
    """
    parent = os.getppid()
    if parent == 1:
        return

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os.kill(os.getpid(), signum)
                return

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
