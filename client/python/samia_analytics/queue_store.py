"""Where the emitter keeps the events it has not delivered yet.

The emitter always holds its queue in memory as well; a store only has to remember it across a
restart. ``FileQueueStore`` writes the same journal format as the TypeScript emitter's
``client/file-queue-store.ts``.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any, Dict, List, Protocol, Sequence, Set

Event = Dict[str, Any]


class QueueStore(Protocol):
    """A place for undelivered events. Called with the emitter's lock held: one call at a time."""

    persistent: bool
    """True when what it holds outlives the process: close() then leaves undelivered events for the
    next start instead of dropping them."""

    def load(self) -> List[Event]:
        """The events a previous process left undelivered; called once, when the emitter starts."""
        ...

    def append(self, events: Sequence[Event]) -> None:
        """Remembers newly queued events."""
        ...

    def remove(self, event_ids: Sequence[str]) -> None:
        """Forgets events that were stored by the function or dropped for good."""
        ...

    def close(self) -> None:
        """Releases the store (files, locks)."""
        ...


class MemoryQueueStore:
    """The default: nothing outlives the process (the emitter's own queue is the memory)."""

    persistent = False

    def load(self) -> List[Event]:
        return []

    def append(self, events: Sequence[Event]) -> None:
        pass

    def remove(self, event_ids: Sequence[str]) -> None:
        pass

    def close(self) -> None:
        pass


# Locks this process holds: a lock naming our own pid is stale unless it is in here (a restarted
# container is pid 1 again).
_held_here: Set[str] = set()
_held_lock = threading.Lock()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _take_lock(lock_path: str) -> None:
    with _held_lock:
        for _ in range(2):
            try:
                fd = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                pass
            else:
                os.write(fd, str(os.getpid()).encode())
                os.close(fd)
                _held_here.add(lock_path)
                return
            try:
                with open(lock_path, encoding="utf-8") as f:
                    holder = int(f.read().strip() or 0)
            except (OSError, ValueError):
                holder = 0
            ours = holder == os.getpid()
            if (ours and lock_path in _held_here) or (not ours and holder > 0 and _pid_alive(holder)):
                raise RuntimeError(f"{lock_path}: the queue file is in use by process {holder} (one emitter per file)")
            os.unlink(lock_path)  # left by a process that is gone
        raise RuntimeError(f"{lock_path}: could not take the lock")


class FileQueueStore:
    """A queue that survives a restart or a crash, for backends.

    A journal of JSON lines (``{"add": [events]}`` when events are queued, ``{"del": [event ids]}``
    when they are delivered or dropped), written before emit() returns, so a killed process loses
    nothing. A line torn by a crash is skipped when the file is read back. The file is rewritten
    (compacted) through a temporary file and an atomic rename, never in place. One emitter per
    file: a lock file beside it names the process that holds it.
    """

    persistent = True

    def __init__(self, path: str | os.PathLike[str], *, durable: bool = False) -> None:
        """``durable``: also fsync every write (survives a power loss, not only a process crash); slower."""
        self.path = os.path.abspath(os.fspath(path))
        self._durable = durable
        self._live: Dict[str, Event] = {}
        self._file: Any = None
        self._entries = 0
        self._lock_path = self.path + ".lock"
        _take_lock(self._lock_path)

    def load(self) -> List[Event]:
        if os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as f:
                for line in f:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue  # torn by a crash mid-write
                    for event in entry.get("add") or []:
                        self._live[event["event_id"]] = event
                    for event_id in entry.get("del") or []:
                        self._live.pop(event_id, None)
        # Start from a clean file: no torn tail for the next line to be appended to.
        self._compact()
        return list(self._live.values())

    def append(self, events: Sequence[Event]) -> None:
        if not events:
            return
        for event in events:
            self._live[event["event_id"]] = event
        self._write({"add": list(events)}, len(events))

    def remove(self, event_ids: Sequence[str]) -> None:
        gone = [i for i in event_ids if self._live.pop(i, None) is not None]
        if not gone:
            return
        self._write({"del": gone}, len(gone))
        if self._entries > 2 * len(self._live) + 1000:
            self._compact()

    def close(self) -> None:
        """Leaves the file holding only what is undelivered (empty when everything was), and releases the lock."""
        with _held_lock:
            if self._lock_path not in _held_here:
                return
        self._compact()
        with _held_lock:
            _held_here.discard(self._lock_path)
        os.unlink(self._lock_path)

    @property
    def size(self) -> int:
        """How many events the file holds (delivered ones excluded)."""
        return len(self._live)

    def _write(self, entry: Dict[str, Any], count: int) -> None:
        if self._file is None:
            self._file = open(self.path, "a", encoding="utf-8")
        self._file.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self._file.flush()  # in the kernel: survives the process
        if self._durable:
            os.fsync(self._file.fileno())
        self._entries += count

    def _compact(self) -> None:
        """Rewrites the file with only the undelivered events: temporary file, fsync, atomic rename."""
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            if self._live:
                f.write(json.dumps({"add": list(self._live.values())}, separators=(",", ":")) + "\n")
            f.flush()
            os.fsync(f.fileno())
        if self._file is not None:
            self._file.close()
            self._file = None
        os.replace(tmp, self.path)
        # The rename itself is durable once the directory is synced.
        dir_fd = os.open(os.path.dirname(self.path), os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        self._entries = len(self._live)
