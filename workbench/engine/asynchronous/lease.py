"""One processor of a project's asynchronous queue at a time: a lease in the project's store.

Several engines may open one project at once (`workbench serve` and a `workbench invoke` or `load` beside it,
or the GUI and a command). Every one of them accepts events (each is committed to the shared store before its
202), but only the engine holding the lease runs them; without it, events that one engine was running were
taken up by the other at its start and ran twice. The holder writes a heartbeat on its engine's clock; another
engine takes the lease over when the heartbeat is older than `EngineSettings.async_lease_s`, or at once when
the holder is a process of this machine that no longer exists (a `kill -9`), and a holder that closes gives it
back. Taking over is a compare-and-swap on the row as it was read, so two engines racing for a stale lease
cannot both win.

At-least-once still holds: the new holder runs again what the old one left running. A holder that stalls past
the lease (its heartbeat late) loses it and stops starting attempts; what it was running may then run twice,
which at-least-once allows.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import uuid
from dataclasses import dataclass

from workbench.backends.procfs import process_exists
from workbench.engine.core.clock import Clock
from workbench.engine.store.database import Database


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    """Who processes the project's asynchronous queue (as last read from the store)."""

    owner: str
    host: str
    pid: int
    acquired: float
    heartbeat: float


def _holder(row: sqlite3.Row | None) -> LeaseHolder | None:
    return None if row is None else LeaseHolder(row["owner"], row["host"], row["pid"], row["acquired"],
                                                row["heartbeat"])


class ProcessorLease:
    def __init__(self, database: Database, clock: Clock, lease_s: float) -> None:
        self._database = database
        self._clock = clock
        self.lease_s = lease_s
        #: This engine's id: a fresh one per engine, so two engines of one process are told apart too.
        self.owner = uuid.uuid4().hex
        self._host = socket.gethostname()
        self._pid = os.getpid()
        self.holder: LeaseHolder | None = None

    @property
    def pid(self) -> int:
        return self._pid

    @property
    def held(self) -> bool:
        return self.holder is not None and self.holder.owner == self.owner

    def _takeable(self, holder: LeaseHolder | None, now: float) -> bool:
        if holder is None or holder.owner == self.owner:
            return True
        if now - holder.heartbeat > self.lease_s:
            return True
        return holder.host == self._host and holder.pid != self._pid and not process_exists(holder.pid)

    async def acquire(self) -> bool:
        """Take the lease if it is free, ours, stale, or held by a dead process of this machine."""
        now = self._clock.time()

        def take(connection: sqlite3.Connection) -> LeaseHolder | None:
            for _ in range(3):   # the row may change between the read and the swap: read again
                found = _holder(connection.execute("SELECT * FROM async_processor WHERE id = 1").fetchone())
                if not self._takeable(found, now):
                    return found
                mine = (self.owner, self._host, self._pid, found.acquired if found and found.owner == self.owner
                        else now, now)
                with connection:
                    if found is None:
                        swapped = connection.execute(
                            "INSERT OR IGNORE INTO async_processor (id, owner, host, pid, acquired, heartbeat) "
                            "VALUES (1, ?, ?, ?, ?, ?)", mine).rowcount
                    else:
                        swapped = connection.execute(
                            "UPDATE async_processor SET owner = ?, host = ?, pid = ?, acquired = ?, heartbeat = ? "
                            "WHERE id = 1 AND owner = ? AND heartbeat = ?",
                            (*mine, found.owner, found.heartbeat)).rowcount
                if swapped == 1:
                    return LeaseHolder(*mine)
            return _holder(connection.execute("SELECT * FROM async_processor WHERE id = 1").fetchone())

        self.holder = await self._database.run(take)
        return self.held

    async def renew(self) -> bool:
        """The heartbeat; False when the lease was lost (another engine took it over)."""
        now = self._clock.time()

        def beat(connection: sqlite3.Connection) -> bool:
            with connection:
                return connection.execute("UPDATE async_processor SET heartbeat = ? WHERE id = 1 AND owner = ?",
                                          (now, self.owner)).rowcount == 1

        kept = await self._database.run(beat) is True
        if kept and self.holder is not None:
            self.holder = LeaseHolder(self.holder.owner, self.holder.host, self.holder.pid, self.holder.acquired,
                                      now)
        elif not kept:
            self.holder = None
        return kept

    async def release(self) -> None:
        """Give the lease back (at close), so another engine takes over at its next try."""
        if not self.held:
            return
        owner = self.owner
        await self._database.transaction([("DELETE FROM async_processor WHERE id = 1 AND owner = ?", (owner,))])
        self.holder = None
