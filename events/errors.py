"""Domain errors: values with a stable code that clients branch on, and a human message."""


class DomainError(Exception):
    """A command the current report cannot accept; nothing is appended."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[object, tuple[type["DomainError"], dict[str, object]]]:
        """Pickled whole, its class and attributes (a subclass's too), so that one raised in a
        worker process reaches the caller as it was."""
        return _restored, (type(self), dict(self.__dict__))

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.message!r})"


class CorruptEvent(DomainError):
    """A stored event that cannot be read: not JSON, of a type or schema this code does not
    know (written by a newer version of Rapporteur), or of the wrong shape. It names the
    report and the version, so that the versions before it can still be asked for (`?at=`),
    and `rapporteur doctor` can point an operator at the entry. The data is the server's, not
    the request's: the request is not to blame and retrying it changes nothing."""

    def __init__(self, report_id: str, version: int, problem: str, *, newer: bool = False) -> None:
        """`newer`: it reads as an event of a type or schema newer than this code knows."""
        readable = f"; the versions before it can be read (at most ?at={version - 1})" if version > 1 else ""
        super().__init__(
            "corrupt_event", f"report {report_id}: the event stored at version {version} cannot be read: {problem}{readable}"
        )
        self.report_id = report_id
        self.version = version
        self.problem = problem
        self.newer = newer


def _restored(cls: type[DomainError], attributes: dict[str, object]) -> DomainError:
    error = cls.__new__(cls)
    Exception.__init__(error, attributes.get("message", ""))
    error.__dict__.update(attributes)
    return error
