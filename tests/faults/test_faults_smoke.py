"""The fault script's quickest scenario, small: kill -9 of `rapporteur serve` under load, a
restart on the same data directory, and every acknowledged edit stored exactly once."""

from tests.faults.scenarios import Settings, run_scenario

SMALL = Settings(rate=4.0, warmup=1.5, after=1.0, recover_wait=10.0, drain=10.0)


async def test_kill_9_of_serve_mid_load_keeps_every_acknowledged_edit_once() -> None:
    outcome = await run_scenario("kill-server", SMALL)

    assert outcome.error is None, outcome.error
    assert outcome.audit is not None
    assert outcome.audit.acked > 20, "the load ran before and after the kill"
    assert outcome.reconnects > 0, "the live editors lived through the kill"
    assert any(note.endswith("ended with serve") for note in outcome.notes), f"an orphan Redis: {outcome.notes}"
    assert outcome.recovered == "by restart", f"every client got an ack after the restart: {outcome.recover}"
    assert outcome.audit.lost == [], "acknowledged, not in the stream"
    assert outcome.audit.duplicated == [], "stored twice"
    assert outcome.audit.contradicted == [], "acknowledged with a version other than the one stored"
