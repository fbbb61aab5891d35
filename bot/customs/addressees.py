"""Who a request goes to: a unit's chat, or one named person in their private chat with the bot."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Person, Settings
from bot.db.models import Proposal, UnitRequest


@dataclass(frozen=True)
class Addressee:
    """One receiver of a request; exactly one of unit_key and person_id is set."""

    name: str
    chat_id: int | None
    unit_key: str = ""
    person_id: int | None = None


def person_label(person: Person) -> str:
    """A person as the desk names them: name and title."""
    return f"{person.name} ({person.title})" if person.title else person.name


def of_proposal(settings: Settings, proposal: Proposal) -> list[Addressee]:
    """The units, then the named people, a proposal is addressed to."""
    found = [
        Addressee(unit.name, unit.chat_id, unit_key=unit.key)
        for key in proposal.unit_keys()
        if (unit := settings.unit(key)) is not None
    ]
    # A private chat's id is the person's own Telegram id.
    found += [
        Addressee(person_label(person), person.id, person_id=person.id)
        for pid in proposal.person_ids()
        if (person := settings.person(pid)) is not None
    ]
    return found


def may_answer(request: UnitRequest, person: Person | None) -> bool:
    """A named person's request is answered by them alone; a unit's, by its members."""
    if person is None:
        return False
    if request.person_id is not None:
        return person.id == request.person_id
    return person.unit == request.unit_key


@dataclass(frozen=True)
class PersonMatch:
    """The person a typed name means, or the several it could mean (none: unknown)."""

    person: Person | None = None
    candidates: tuple[Person, ...] = ()


def find_person(people: list[Person], typed: str) -> PersonMatch:
    """Find a person by full name, or by a part of it that fits only one (e.g. the given name)."""
    wanted = " ".join(typed.split()).casefold()
    if not wanted:
        return PersonMatch()
    exact = [p for p in people if p.name.casefold() == wanted]
    if exact:
        return PersonMatch(exact[0])
    # Vietnamese colleagues are called by their given name, the last word: "Giang".
    partial = tuple(p for p in people if wanted in p.name.casefold())
    if len(partial) == 1:
        return PersonMatch(partial[0])
    return PersonMatch(candidates=partial)
