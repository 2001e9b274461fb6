"""What the load clients sent, what was acknowledged and when, and everything else they saw.

The ledger is the clients' side of the story, written as it happens; the audit (audit.py)
holds it against what Redis stored. Every command carries a unique marker in its text, so a
command stored twice shows even if it came back under another command id.
"""

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

MARKER_PREFIX = "load-"


def new_command() -> tuple[str, str]:
    """A fresh command id and the marker text its command inserts (ASCII word characters:
    no placeholder brackets, nothing typography changes)."""
    key = uuid.uuid4().hex
    return f"fault-{key}", f"{MARKER_PREFIX}{key} "


@dataclass(frozen=True)
class Sent:
    client: str
    report_id: str
    marker: str
    at: float  # monotonic time of the first send


@dataclass
class Ledger:
    """Shared by every client of one scenario (one event loop: no locking)."""

    commands: dict[str, Sent] = field(default_factory=dict)
    clients: list[str] = field(default_factory=list)  # those that send commands
    acks: dict[str, int] = field(default_factory=dict)  # command id -> acknowledged version
    acked_at: dict[str, float] = field(default_factory=dict)  # command id -> monotonic time
    refused: dict[str, str] = field(default_factory=dict)  # command id -> final refusal code
    contradicted: set[str] = field(default_factory=set)  # acknowledged twice with two versions
    seen: Counter[str] = field(default_factory=Counter)
    during_fault: bool = False  # from the fault until every client is back (or given up on)

    def client(self, name: str) -> None:
        """Declare a client that sends commands (its recovery is measured)."""
        self.clients.append(name)

    def sent(self, command_id: str, client: str, report_id: str, marker: str) -> None:
        self.commands.setdefault(command_id, Sent(client, report_id, marker, time.monotonic()))

    def acked(self, command_id: str, version: int) -> None:
        previous = self.acks.setdefault(command_id, version)
        if previous != version:
            self.contradicted.add(command_id)
        self.refused.pop(command_id, None)
        self.acked_at.setdefault(command_id, time.monotonic())

    def refuse(self, command_id: str, code: str) -> None:
        """A refusal that resending cannot change: the command is no longer in flight."""
        self.refused[command_id] = code

    def saw(self, what: str) -> None:
        self.seen[what] += 1

    @property
    def in_flight(self) -> int:
        return len(self.commands) - len(self.acks) - len(self.refused)

    def first_acks_after(self, moment: float) -> dict[str, float | None]:
        """Per client, seconds from `moment` to the first ack of a command it sent after
        `moment` (None: none yet). A command sent before may have been applied before: its
        late ack proves nothing about the service now."""
        first: dict[str, float | None] = dict.fromkeys(self.clients)
        for command_id, at in self.acked_at.items():
            sent = self.commands[command_id]
            if sent.at >= moment:
                earliest = first[sent.client]
                first[sent.client] = at - moment if earliest is None else min(earliest, at - moment)
        return first
