"""Enrolment of EPZ contacts: one-time, expiring invites that bind an account to an enterprise."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.config import Enterprise, Settings
from bot.db.models import EnterpriseContact, Invite
from bot.steps import Refusal, Step

# A person's name, as long as a form's line can hold.
MAX_NAME = 120


class InviteProblem(StrEnum):
    """Why an invite could not be used."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    ENROLLED_ELSEWHERE = "enrolled_elsewhere"


@dataclass(frozen=True)
class Redeemed:
    """The enterprise an account now reports for, or why not."""

    enterprise: Enterprise | None
    problem: InviteProblem | None = None


class Enrolment:
    """Issues invites and remembers which account reports for which enterprise."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self._settings = settings
        self._engine = engine
        self._contacts: dict[int, str] | None = None

    def may_invite(self, enterprise: str, issuer: int) -> Step[Enterprise]:
        """Whether a person may invite an enterprise's contacts: an administrator or the
        officer assigned to it."""
        found = self._settings.enterprise(enterprise)
        if found is None:
            return Step(refusal=Refusal.NOT_FOUND)
        person = self._settings.person(issuer)
        if found.officer != issuer and not (person is not None and person.admin):
            return Step(found, Refusal.NOT_INVITER, facts={"name": found.name})
        return Step(found)

    def issue(self, enterprise: str, issuer: int, now: dt.datetime) -> Invite:
        """Create a one-time invite, valid for the configured number of hours.

        Only for whom `may_invite` allows: anyone else is a caller's bug, not a refusal to word.
        """
        allowed = self.may_invite(enterprise, issuer)
        if not allowed.ok:
            raise PermissionError(f"{issuer} may not invite contacts of {enterprise}")
        invite = Invite(
            code=secrets.token_urlsafe(12),
            enterprise=enterprise,
            issued_by=issuer,
            issued_at=now,
            expires_at=now + dt.timedelta(hours=self._settings.invite_valid_hours),
        )
        with Session(self._engine, expire_on_commit=False) as session:
            session.add(invite)
            session.commit()
        return invite

    def redeem(self, code: str, user_id: int, name: str, now: dt.datetime) -> Redeemed:
        """Bind an account to the invite's enterprise, once and before the invite expires."""
        with Session(self._engine) as session:
            invite = session.get(Invite, code)
            enterprise = self._settings.enterprise(invite.enterprise) if invite else None
            if invite is None or enterprise is None:
                return Redeemed(None, InviteProblem.UNKNOWN)
            existing = session.get(EnterpriseContact, user_id)
            if invite.used_by is not None:
                same = invite.used_by == user_id
                return Redeemed(enterprise if same else None, None if same else InviteProblem.USED)
            if now > invite.expires_at:
                return Redeemed(None, InviteProblem.EXPIRED)
            if existing is not None and existing.enterprise != enterprise.key:
                return Redeemed(None, InviteProblem.ENROLLED_ELSEWHERE)
            invite.used_by, invite.used_at = user_id, now
            session.add(invite)
            if existing is None:
                session.add(
                    EnterpriseContact(
                        user_id=user_id, enterprise=enterprise.key, name=name, enrolled_at=now
                    )
                )
            session.commit()
        if self._contacts is not None:
            self._contacts[user_id] = enterprise.key
        return Redeemed(enterprise)

    def enterprise_of(self, user_id: int) -> Enterprise | None:
        """The enterprise an account reports for, if it is an enrolled contact."""
        if self._contacts is None:
            with Session(self._engine) as session:
                self._contacts = {
                    c.user_id: c.enterprise for c in session.exec(select(EnterpriseContact))
                }
        key = self._contacts.get(user_id)
        return self._settings.enterprise(key) if key else None

    def contact_name(self, user_id: int) -> str:
        """The name an enrolled contact had when they enrolled ("" for anyone else)."""
        with Session(self._engine) as session:
            contact = session.get(EnterpriseContact, user_id)
            return contact.name if contact is not None else ""

    def representative(self, enterprise: Enterprise) -> str:
        """The enterprise's legal representative: configured, else as a contact gave it."""
        return legal_representative(self._engine, enterprise)

    def record_representative(self, user_id: int, name: str) -> Step[Enterprise]:
        """A contact names their enterprise's legal representative (247 Annex II's signer)."""
        name = " ".join(name.split())
        enterprise = self.enterprise_of(user_id)
        if enterprise is None:
            return Step(refusal=Refusal.NOT_FOUND)
        if not name:
            return Step(enterprise, Refusal.EMPTY)
        with Session(self._engine) as session:
            contact = session.get(EnterpriseContact, user_id)
            if contact is None:
                return Step(refusal=Refusal.NOT_FOUND)
            contact.legal_representative = name[:MAX_NAME]
            session.add(contact)
            session.commit()
        return Step(enterprise)


def legal_representative(engine: Engine, enterprise: Enterprise) -> str:
    """Who signs the enterprise's notices: configured, else the name its latest contact gave."""
    if enterprise.legal_representative:
        return enterprise.legal_representative
    with Session(engine) as session:
        named = session.exec(
            select(EnterpriseContact.legal_representative)
            .where(EnterpriseContact.enterprise == enterprise.key)
            .where(EnterpriseContact.legal_representative != "")
            .order_by(col(EnterpriseContact.enrolled_at).desc())
        ).first()
    return named or ""
