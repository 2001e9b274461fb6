"""Who may do what (events/access.py), and how much one command may append (events/decide.py).

The rules are pure: the server looks a user's role up and asks `refusal` here on every path
a command can take, so these tests pin the rule itself, without Redis or HTTP.
"""

import msgspec
import pytest

from events import decide as decide_module
from events.access import (
    CHAIR_COMMANDS,
    ROLES,
    Actor,
    NewUser,
    Role,
    UserChange,
    at_least,
    check_admin,
    needed_for,
    refusal,
    role_in_report,
)
from events.commands import (
    COMMAND_TYPES,
    AddChapter,
    Command,
    CreateReport,
    RetitleChapter,
)
from events.decide import decide_all
from events.errors import DomainError
from tests.events.builders import REPORT_ID, Ids, uid

DRAFTING_COMMANDS = sorted(COMMAND_TYPES - CHAIR_COMMANDS)


# The order of the roles

def test_roles_go_from_viewer_to_admin() -> None:
    assert ROLES == ("viewer", "drafter", "chair", "admin")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_do_what_it_can_do_and_what_the_roles_before_it_can(role: Role) -> None:
    rank = ROLES.index(role)
    assert [at_least(role, needed) for needed in ROLES] == [index <= rank for index in range(len(ROLES))]


# The role each command needs

def test_the_chair_alone_adopts_and_reopens() -> None:
    assert CHAIR_COMMANDS == {"AdoptChapter", "ReopenChapter", "AdoptReport"}
    assert CHAIR_COMMANDS <= COMMAND_TYPES
    assert {needed_for(command) for command in CHAIR_COMMANDS} == {"chair"}


@pytest.mark.parametrize("command_type", DRAFTING_COMMANDS)
def test_every_other_command_is_drafting(command_type: str) -> None:
    assert needed_for(command_type) == "drafter"


def test_no_command_needs_only_the_viewer_role() -> None:
    """A viewer reads, replays and is present; every command changes the report."""
    assert all(needed_for(command) != "viewer" for command in COMMAND_TYPES)


# A role in a report: the default, replaced by a grant, admins always admins

@pytest.mark.parametrize("default", ["viewer", "drafter", "chair"])
def test_without_a_grant_the_default_role_holds(default: Role) -> None:
    assert role_in_report(default, None) == default


@pytest.mark.parametrize(
    ("default", "granted"),
    [("viewer", "drafter"), ("viewer", "chair"), ("drafter", "chair"), ("viewer", "admin")],
    ids=lambda role: role,
)
def test_a_grant_raises_a_role_in_its_report(default: Role, granted: Role) -> None:
    assert role_in_report(default, granted) == granted


@pytest.mark.parametrize(
    ("default", "granted"),
    [("chair", "viewer"), ("chair", "drafter"), ("drafter", "viewer")],
    ids=lambda role: role,
)
def test_a_grant_lowers_a_role_in_its_report(default: Role, granted: Role) -> None:
    assert role_in_report(default, granted) == granted


@pytest.mark.parametrize("granted", [None, *ROLES])
def test_an_admin_stays_an_admin_whatever_the_grant(granted: Role | None) -> None:
    """No grant can lock the administrators out of a report."""
    assert role_in_report("admin", granted) == "admin"


def test_a_chair_lowered_to_viewer_in_one_report_may_not_adopt_there() -> None:
    refused = refusal(role_in_report("chair", "viewer"), ["AdoptChapter"])
    assert refused is not None and refused.code == "forbidden"


# Refusals

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("command_type", sorted(COMMAND_TYPES))
def test_a_role_is_refused_exactly_the_commands_that_need_more(role: Role, command_type: str) -> None:
    refused = refusal(role, [command_type])
    if at_least(role, needed_for(command_type)):
        assert refused is None
    else:
        assert refused is not None and refused.code == "forbidden"


def test_the_refusal_names_the_command_the_role_it_needs_and_the_role_held() -> None:
    refused = refusal("drafter", ["AdoptChapter"])
    assert refused is not None
    assert refused.message == "AdoptChapter needs the chair role in this report; you are a drafter here"


def test_a_viewer_is_told_that_editing_needs_the_drafter_role() -> None:
    refused = refusal("viewer", ["AddChapter"])
    assert refused is not None
    assert refused.message == "AddChapter needs the drafter role in this report; you are a viewer here"


def test_a_sequence_is_refused_for_its_first_command_the_role_may_not_give() -> None:
    """An import or a batch is refused whole, naming the first command out of reach."""
    refused = refusal("drafter", ["AddChapter", "AdoptChapter", "AdoptReport"])
    assert refused is not None and refused.code == "forbidden"
    assert refused.message.startswith("AdoptChapter needs the chair role")


def test_a_sequence_within_the_role_is_allowed_and_an_empty_one_too() -> None:
    assert refusal("drafter", ["CreateReport", "AddChapter", "AddParagraph"]) is None
    assert refusal("viewer", []) is None


def test_only_an_admin_manages_users() -> None:
    check_admin("admin")
    for role in ("viewer", "drafter", "chair"):
        with pytest.raises(DomainError) as refused:
            check_admin(role)
        assert refused.value.code == "forbidden"


# The bodies of the administration API

def test_an_actor_is_the_user_id_and_the_role_in_the_report() -> None:
    actor = Actor(id="6f1c3f4e-0000-4000-8000-000000000001", role="drafter")
    assert msgspec.json.decode(msgspec.json.encode(actor)) == {"id": actor.id, "role": "drafter"}


def test_a_new_user_is_a_drafter_unless_told() -> None:
    assert msgspec.json.decode(b'{"name": "Chiara"}', type=NewUser).role == "drafter"


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "Chiara", "role": "president"}',
        b'{"name": ""}',
        b'{"name": "   "}',
        b'{"name": "Chiara\\nAdmin"}',
        b'{"name": "Chiara", "token": "x"}',
    ],
    ids=["unknown-role", "empty-name", "blank-name", "two-lines", "unknown-field"],
)
def test_a_new_user_with_a_bad_name_role_or_field_is_refused(body: bytes) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(body, type=NewUser)


def test_a_user_change_may_change_the_name_the_role_or_neither() -> None:
    assert msgspec.json.decode(b"{}", type=UserChange) == UserChange()
    assert msgspec.json.decode(b'{"role": "chair"}', type=UserChange) == UserChange(role="chair")


# How much one command (or import) may append

def _chapters(count: int) -> list[Command]:
    return [CreateReport(title="Projet de rapport"), *(AddChapter(title=f"Chapitre {n}") for n in range(count))]


def test_one_command_may_append_up_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decide_module, "MAX_EVENTS_PER_COMMAND", 5)
    assert len(decide_all(None, REPORT_ID, _chapters(4), Ids(), "alice")) == 5


def test_one_command_appending_more_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decide_module, "MAX_EVENTS_PER_COMMAND", 5)
    with pytest.raises(DomainError) as refused:
        decide_all(None, REPORT_ID, _chapters(5), Ids(), "alice")
    assert refused.value.code == "too_many_events"
    assert "at most 5 events" in refused.value.message


def test_the_limit_counts_the_events_not_the_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands that change nothing (a retitle to the same title) append nothing and so use
    none of the allowance."""
    monkeypatch.setattr(decide_module, "MAX_EVENTS_PER_COMMAND", 2)
    chapter = uid(1)
    commands: list[Command] = [CreateReport(title="Projet de rapport"), AddChapter(chapter_id=chapter, title="Introduction")]
    commands += [RetitleChapter(chapter_id=chapter, title="Introduction") for _ in range(10)]
    assert len(decide_all(None, REPORT_ID, commands, Ids(start=100), "alice")) == 2


def test_the_real_limit_is_ten_thousand_events() -> None:
    assert decide_module.MAX_EVENTS_PER_COMMAND == 10_000
