"""Ten drafters on two server processes type into one paragraph at once, 2,000 random edits in
all, and every one of them ends with the server's text, in which nothing typed is lost and
nothing deleted comes back.

To make that checkable, every character typed is unique: each drafter inserts, one at a time,
characters of a private-use range of their own (outside the Basic Multilingual Plane, so
that they count one code point each but two UTF-16 units), and records the characters each
of their deletes removed, as they read them in their own text at that moment. The final text
must then hold exactly the characters inserted and never deleted by anyone, each once.

The edits are drawn from a seeded `random.Random`; the seed is printed, and
`CONVERGENCE_SEED=<seed>` draws the same ones again (the network's interleaving still varies).
"""

import asyncio
import contextlib
import os
import random
import time

import pytest

from client.api import Api
from client.coediting import ParagraphEditor
from client.live import LiveReport
from tests.client.test_coediting import authored, new_paragraph, paragraph_in, settled
from tests.conftest import People
from tests.processes import ServerProcess
from tests.proxy import CuttableProxy

CLIENTS = 10
EDITS = 2_000
INSERTS = 0.6  # the share of edits that insert; the others delete one or two characters
PRIVATE_USE = 0xF0000  # Supplementary Private Use Area-A
INITIAL = "".join(chr(0xE000 + n) for n in range(40))  # the secretariat's words, unique too


class RandomDrafter:
    def __init__(self, number: int, editor: ParagraphEditor, rng: random.Random) -> None:
        self.editor, self.rng = editor, rng
        self.own = [chr(PRIVATE_USE + number * 1_000 + n) for n in range(1_000)]
        self.inserted: list[str] = []
        self.deleted: set[str] = set()

    async def type(self, edits: int) -> None:
        for _ in range(edits):
            text = self.editor.text
            if not text or self.rng.random() < INSERTS:
                character = self.own[len(self.inserted)]
                self.editor.insert(self.rng.randint(0, len(text)), character)
                self.inserted.append(character)
            else:
                position = self.rng.randrange(len(text))
                self.deleted.update(self.editor.delete(position, self.rng.randint(1, min(2, len(text) - position))))
            await asyncio.sleep(self.rng.uniform(0, 0.005))


@pytest.mark.timeout(120)
@pytest.mark.parametrize("dropping", [False, True], ids=["steady", "dropping-connections"])
async def test_ten_drafters_on_two_servers_converge_after_two_thousand_concurrent_edits(
    server: ServerProcess, second_server: ServerProcess, api: Api, people: People, dropping: bool
) -> None:
    """With `dropping`, one drafter on each server has their connection cut again and again."""
    seed = int(os.environ.get("CONVERGENCE_SEED") or random.SystemRandom().randrange(2**32))
    print(f"convergence seed: {seed}  (CONVERGENCE_SEED={seed} draws the same edits)")
    rng = random.Random(seed)
    _, report_id, paragraph_id = new_paragraph(server, people, INITIAL)
    names = [f"drafter-{n}" for n in range(CLIENTS)]
    tokens = [people.token(name) for name in names]
    started = time.monotonic()

    async with contextlib.AsyncExitStack() as stack:
        proxies = [await stack.enter_async_context(CuttableProxy(s.port)) for s in (server, second_server)]

        def url(n: int) -> str:
            on_first = n < CLIENTS // 2
            if dropping and n % (CLIENTS // 2) == 0:
                return proxies[0 if on_first else 1].url
            return (server if on_first else second_server).url

        lives = [
            await stack.enter_async_context(LiveReport(url(n), report_id, tokens[n], reconnect_delay=0.01))
            for n in range(CLIENTS)
        ]
        drafters = [
            RandomDrafter(n, ParagraphEditor(live, paragraph_id), random.Random(rng.getrandbits(64)))
            for n, live in enumerate(lives)
        ]
        typing = asyncio.gather(*(drafter.type(EDITS // CLIENTS) for drafter in drafters))
        while dropping and not typing.done():
            await asyncio.wait([typing], timeout=rng.uniform(0.05, 0.2))
            for proxy in proxies:
                proxy.cut()
        await typing
        typed = time.monotonic()
        report = await settled(api, report_id, lives, [drafter.editor for drafter in drafters])

        paragraph = paragraph_in(report, paragraph_id)
        for name, drafter, live in zip(names, drafters, lives, strict=True):
            assert drafter.editor.text == paragraph.text, f"seed {seed}: {name} diverged"
            assert drafter.editor.revision == paragraph.revision, f"seed {seed}"
            assert drafter.editor.refusal is None, f"seed {seed}: {drafter.editor.refusal}"
            assert paragraph_in(live.report, paragraph_id) == paragraph, f"seed {seed}: {name}'s projection"

    inserted = {*INITIAL, *(c for drafter in drafters for c in drafter.inserted)}
    deleted = set().union(*(drafter.deleted for drafter in drafters))
    assert len(paragraph.text) == len(set(paragraph.text)), f"seed {seed}: a character appears twice"
    assert set(paragraph.text) == inserted - deleted, f"seed {seed}"
    author_of = {c: people.id("secretariat") for c in INITIAL} | {
        c: people.id(names[n]) for n, drafter in enumerate(drafters) for c in drafter.inserted
    }
    for author, words in authored(paragraph):
        assert {author_of[c] for c in words} == {author}, f"seed {seed}"

    if dropping:
        assert all(lives[n].reconnects >= 1 for n in (0, CLIENTS // 2)), f"seed {seed}"
    print(
        f"{EDITS} edits typed in {typed - started:.1f} s, all settled after {time.monotonic() - started:.1f} s; "
        f"{paragraph.revision} ops committed; final text {len(paragraph.text)} characters; "
        f"{sum(len(d.inserted) for d in drafters)} inserted, {len(deleted)} deleted; "
        f"{sum(live.reconnects for live in lives)} reconnections"
    )
