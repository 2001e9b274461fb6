"""Who is speaking: for now, the drafter names themselves (`X-Drafter`, `?drafter=`).

Whatever the source, the name is checked here and stamped by the service into every event's
`actor`; no command can set its own. Real accounts replace this module later.
"""

import unicodedata

from events.errors import DomainError
from events.fields import MAX_DRAFTER_LENGTH


def drafter_name(value: str | None) -> str:
    name = (value or "").strip()
    if not name:
        raise DomainError("unauthenticated", "name the drafter: the X-Drafter header, or ?drafter= on the WebSocket")
    if len(name) > MAX_DRAFTER_LENGTH or any(unicodedata.category(c).startswith("C") for c in name):
        raise DomainError(
            "unauthenticated", f"a drafter name is printable text of at most {MAX_DRAFTER_LENGTH} characters"
        )
    return name
