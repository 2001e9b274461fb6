"""Constrained field types shared by commands, events and the model.

The constraints live in the types so that msgspec rejects bad input at the edge with a
precise path, and so that every id that ends up inside a Redis key has a known shape.
"""

import re
from typing import Annotated

from msgspec import Meta

# Anchored with \A and \Z, not ^ and $: msgspec matches a pattern with `re.search`, where `$`
# also matches before a final newline, and an id "…\n" would pass to end up inside a Redis key.
UUID_PATTERN = r"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z"

Id = Annotated[str, Meta(pattern=UUID_PATTERN, description="a lowercase UUID")]
CommandId = Annotated[
    str,
    Meta(
        pattern=r"\A[A-Za-z0-9._:-]{1,128}\Z",
        description="chosen by the client; retrying with the same id applies the command once",
    ),
]
Title = Annotated[str, Meta(min_length=1, max_length=2_000)]
MAX_TEXT_LENGTH = 100_000
Text = Annotated[str, Meta(max_length=MAX_TEXT_LENGTH)]
# What Redis counts to (a stream holds fewer entries): past it, a number can only be hostile.
MAX_VERSION = 2**63 - 1
Version = Annotated[int, Meta(ge=0, le=MAX_VERSION)]

MAX_DRAFTER_LENGTH = 100
Name = Annotated[str, Meta(min_length=1, max_length=500)]

# What one text operation may carry (`op_too_large` beyond): typing sends two or three
# components and a paste one insert, so 500 components are far more than any drafter makes,
# and the characters are those of the longest paragraph inserted, plus as many deleted and
# remembered (replacing the whole of it). Checked before anything is done with the op: the
# work an op costs grows with its components.
MAX_OP_COMPONENTS = 500
MAX_OP_CHARACTERS = 2 * MAX_TEXT_LENGTH

# What no text may hold (`invalid_text`): control characters other than tab, line feed and
# carriage return (C0, DEL, C1), lone surrogates and the noncharacters U+FFFE and U+FFFF. No
# drafter types them; XML 1.0 forbids most of them, so a Word rendering could not be written,
# and a terminal showing the text would obey them.
NOT_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
