"""The ids the service gives events and new reports: random version 4 UUIDs, never repeated,
not even by a forked worker that inherited its parent's batch of random bytes."""

import multiprocessing
import uuid

from server.service import _new_id


def test_ids_are_random_version_4_uuids_written_as_uuid_writes_them() -> None:
    ids = [_new_id() for _ in range(5_000)]
    assert len(set(ids)) == len(ids)
    for made in ids:
        parsed = uuid.UUID(made)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, made)


def _ids_in_child(sender) -> None:  # type: ignore[no-untyped-def]
    sender.send([_new_id() for _ in range(20)])


def test_a_forked_child_does_not_repeat_its_parents_next_ids() -> None:
    _new_id()  # the parent holds a batch of random bytes, which the child inherits
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_ids_in_child, args=(sender,))
    child.start()
    childs = receiver.recv()
    child.join(10)
    assert not set(childs) & {_new_id() for _ in range(20)}
