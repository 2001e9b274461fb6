"""What a start of Redis cut from its append-only files, said out loud.

With `aof-load-truncated yes` Redis loads an append-only file whose last command is incomplete
(a crash or a full disk in the middle of a write, a copy taken mid-write), cuts the file at the
end of the last complete command, and says so only in its own log. With `appendfsync always`
the cut command was usually never acknowledged; but a file damaged at its end by other means
(a disk or file system that lost its last blocks, a hand-made copy) loses edits that were. So
`serve` compares the files' sizes before the start with the offsets Redis logged, and prints
how many bytes of which file were cut.
"""

import re
from pathlib import Path

import msgspec

AOF_DIRECTORY = "appendonlydir"
LEGACY_AOF = "appendonly.aof"
# Redis 7+ and Valkey name the file; Redis 6 did not (its one file was appendonly.aof).
# One optional group, anchored words around it: linear on any line.
TRUNCATED = re.compile(r"Truncating the AOF (?:(\S+) )?at offset (\d+)")
REPAIR_NOTE = "deploy/README.md#repair"


class AofCut(msgspec.Struct, frozen=True):
    path: Path
    size_before: int
    kept: int

    @property
    def bytes_cut(self) -> int:
        return self.size_before - self.kept

    def describe(self) -> str:
        return (
            f"WARNING: the last {self.bytes_cut} bytes of the append-only file {self.path} were cut "
            f"(an incomplete last write; Redis loaded the {self.kept} bytes before it): edits "
            f"acknowledged just before the crash may be lost; see {REPAIR_NOTE}"
        )


def aof_sizes(data_dir: Path) -> dict[Path, int]:
    """The size of every append-only file in the directory, before Redis starts on it."""
    files = [data_dir / LEGACY_AOF, *sorted((data_dir / AOF_DIRECTORY).glob("*"))]
    return {path: path.stat().st_size for path in files if path.is_file()}


def log_size(log: Path) -> int:
    """Where this start's lines will begin in Redis's log (it appends to the same file)."""
    return log.stat().st_size if log.exists() else 0


def logged_since(log: Path, start: int) -> str:
    """What Redis wrote to its log from `start` (see log_size) on."""
    with log.open("rb") as lines:
        lines.seek(start)
        return lines.read().decode(errors="replace")


def cuts(data_dir: Path, sizes_before: dict[Path, int], logged: str) -> list[AofCut]:
    """The files Redis cut while loading, read from the lines it `logged` as it started."""
    found = []
    for name, offset in TRUNCATED.findall(logged):
        path = data_dir / AOF_DIRECTORY / name if name else data_dir / LEGACY_AOF
        before = sizes_before.get(path)
        if before is not None and before > int(offset):
            found.append(AofCut(path=path, size_before=before, kept=int(offset)))
    return found
