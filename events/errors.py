"""Domain errors: values with a stable code that clients branch on, and a human message."""


class DomainError(Exception):
    """A command the current report cannot accept; nothing is appended."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type["DomainError"], tuple[str, str]]:
        """Pickled whole, so that one raised in a worker process reaches the caller as it was."""
        return DomainError, (self.code, self.message)

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.message!r})"
