"""November 2026 as a busy desk recorded it, through its own services: what statistics count.

Up to 09:00 on the 25th (the tests' clock): eight incidents of four kinds and three with nothing
proposed, four requests (two answered inside 30 minutes, one after 45, one never), three
cameras watched by the health round, four alerts (one false), and three EPZ outages inside the
month (one repaired in time, one late, one still open past its deadline) beside one from
October, over before it began.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from sqlmodel import Session

from bot.db.models import (
    AlertSource,
    CameraAlert,
    CameraState,
    CameraTransition,
    OutageKind,
    ProposalKind,
)
from bot.desk import Desk
from bot.epz.outages import NoticeInput
from bot.escalation.incidents import IncidentInput
from bot.logbook.service import Author
from tests.documents.shift import (
    CONTACT,
    CONTACT_AUTHOR,
    LEADER_AUTHOR,
    OFFICER_AUTHOR,
    UNIT_AUTHOR,
    build_desk,
)
from tests.e2e.conftest import CAMERAS, LEADER, OFFICER, SECTION, TEAM_CONTACT, desk_config

ICT = dt.timezone(dt.timedelta(hours=7))
TEAM_AUTHOR = Author(TEAM_CONTACT, "Đặng Thị Hoa")
# The EPZ enterprise's gate camera is in the registry too: its outages show on its line.
EPZ_CAMERA = {
    "number": "C01",
    "name": "Cổng chính DNCX ABC",
    "place": "KCX Tân Thuận",
    "area": "KCX Tân Thuận",
    "enterprise": "dncx-abc",
}


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    """A local moment of November 2026 (or another month of it)."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=ICT)


@dataclass
class Month:
    """The desk and the numbers of what it recorded."""

    desk: Desk
    outages: list[int]


def month_desk(url: str) -> Desk:
    """The tests' desk with the EPZ gate camera in its registry, and a shift every day.

    Each of the month's shifts is led by the leader who decides its proposals (the services
    check who decides from the roster of the shift running at that moment).
    """
    shift = {"shift_leader": LEADER, "section_leader": SECTION, "officers": [OFFICER]}
    roster = {str(dt.date(2026, 11, day)): shift for day in range(1, 25)}
    emu = SimpleNamespace(token="1:test", base_url="", base_file_url="")
    roster |= desk_config(emu, url)["roster"]["days"]  # type: ignore[arg-type]
    return build_desk(url, cameras=[*CAMERAS, EPZ_CAMERA], roster={"days": roster})


def _incident(desk: Desk, when: dt.datetime, description: str, camera: str = "") -> int:
    incident = desk.escalation.incidents.open(
        OFFICER_AUTHOR,
        IncidentInput(description=description, place="Cảng Cát Lái", camera=camera),
        when,
    ).value
    assert incident.id is not None
    return incident.id


def _approved(
    desk: Desk,
    incident_id: int,
    kind: ProposalKind,
    unit: str,
    content: str,
    when: dt.datetime,
) -> int:
    """Propose at `when`, approved five minutes later; the request's id (when one is sent)."""
    esc = desk.escalation
    proposal = esc.approvals.propose(OFFICER_AUTHOR, incident_id, kind, [unit], content, when).value
    assert proposal is not None and proposal.id is not None
    approved = when + dt.timedelta(minutes=5)
    assert esc.approvals.approve(LEADER_AUTHOR, proposal.id, 1, approved).ok
    if kind in (ProposalKind.INTERVENTION, ProposalKind.MOBILE_EQUIPMENT):
        decided = approved + dt.timedelta(minutes=35)
        assert esc.approvals.record_escalation(LEADER_AUTHOR, proposal.id, True, decided).ok
    history = esc.incidents.history(incident_id)
    assert history is not None
    return history.requests[-1].id or 0


def _fire(desk: Desk, when: dt.datetime) -> None:
    desk.timers.fire_due(when)


def _requests(desk: Desk) -> None:
    esc = desk.escalation
    # 3/11: acknowledged after 12 minutes, the result reported the same morning.
    first = _incident(desk, at(3, 9), "Xe container ra cổng B không qua máy soi", camera="12")
    request = _approved(
        desk, first, ProposalKind.COORDINATION, "hq-kv1", "Đề nghị dừng xe", at(3, 9, 5)
    )
    assert esc.requests.acknowledge(
        UNIT_AUTHOR, request, "Võ Văn Giang", at(3, 11), at(3, 9, 22)
    ).ok
    assert esc.requests.report_result(UNIT_AUTHOR, request, "Hàng phù hợp", "", "", at(3, 10)).ok
    # 3/11: answered at once, after 5 minutes.
    second = _incident(desk, at(3, 14), "Xe chở hàng dừng lâu tại bãi B3", camera="14")
    request = _approved(
        desk, second, ProposalKind.REMINDER, "doi-ks", "Nhắc Đội kiểm tra", at(3, 14, 0)
    )
    assert esc.requests.answer_now(TEAM_AUTHOR, request, "Đã nhắc", at(3, 14, 10)).ok
    # 10/11: the 30 minutes pass (the breach is recorded), acknowledged after 45.
    third = _incident(desk, at(10, 10), "Container nghi vấn khai sai tên hàng")
    request = _approved(
        desk, third, ProposalKind.INFORMATION, "hq-kv1", "Cung cấp tờ khai", at(10, 10)
    )
    _fire(desk, at(10, 10, 36))
    assert esc.requests.acknowledge(
        UNIT_AUTHOR, request, "Võ Văn Giang", at(10, 16), at(10, 10, 50)
    ).ok
    assert esc.requests.report_result(
        UNIT_AUTHOR, request, "Đã cung cấp", "Chờ hệ thống", "Võ Văn Giang", at(10, 15)
    ).ok
    # 17/11: escalated, sent at 11:40 once the Director General agreed, never answered.
    fourth = _incident(desk, at(17, 11), "Lô hàng đã thông quan có dấu hiệu vi phạm")
    _approved(desk, fourth, ProposalKind.INTERVENTION, "doi-ks", "Dừng đưa hàng ra", at(17, 11))
    _fire(desk, at(17, 12, 16))


def _more_incidents(desk: Desk) -> None:
    esc = desk.escalation
    _incident(desk, at(20, 9), "Người lạ trèo rào khu vực bãi B3", camera="14")
    rejected = _incident(desk, at(24, 16), "Xe biển số lạ vào cổng ICD", camera="16")
    proposal = esc.approvals.propose(
        OFFICER_AUTHOR,
        rejected,
        ProposalKind.COORDINATION,
        ["hq-kv1"],
        "Đề nghị kiểm tra xe",
        at(24, 16, 5),
    ).value
    assert proposal is not None and proposal.id is not None
    assert esc.approvals.reject(LEADER_AUTHOR, proposal.id, 1, "Xe của cảng", at(24, 16, 9)).ok
    # Before 08:00 on the 25th: still the shift of the 24th.
    _incident(desk, at(25, 7, 30), "Ca-mê-ra 15 bị che khuất")
    _incident(desk, at(25, 8, 30), "Xe dừng lâu trước cổng B", camera="12")


def _cameras(desk: Desk) -> None:
    """What the health round recorded: state changes, and the alerts cameras raised."""
    changes = [
        ("12", CameraState.UP, at(30, 8, month=10)),
        ("12", CameraState.DOWN, at(5, 10)),
        ("12", CameraState.UP, at(5, 16)),
        ("12", CameraState.DEGRADED, at(12, 9)),
        ("12", CameraState.UP, at(12, 10)),
        ("13", CameraState.UP, at(1, 8)),
        ("15", CameraState.UP, at(2, 8)),
        ("15", CameraState.DOWN, at(20, 8)),
        ("15", CameraState.UP, at(21, 8)),
    ]
    alerts = [("12", at(4, 2)), ("12", at(9, 23)), ("12", at(18, 1)), ("15", at(19, 22))]
    with Session(desk.engine) as session:
        for camera, state, when in changes:
            session.add(CameraTransition(camera=camera, state=state, at=when))
        for camera, when in [*alerts, ("12", at(31, 23, month=10))]:
            session.add(
                CameraAlert(
                    camera=camera,
                    kind="motion",
                    source=AlertSource.ONVIF,
                    occurred_at=when,
                    received_at=when,
                    last_seen_at=when,
                )
            )
        session.commit()
    false_alarm = 2  # camera 12 on the 9th at 23:00
    assert desk.cameras.alerts.mark_false(false_alarm, OFFICER_AUTHOR, "Chim bay qua") is not None


def _outages(desk: Desk) -> list[int]:
    invite = desk.enrolment.issue("dncx-abc", OFFICER_AUTHOR.user_id or 0, at(20, 9, month=10))
    desk.enrolment.redeem(invite.code, CONTACT, CONTACT_AUTHOR.name, at(20, 10, month=10))
    outages = desk.outages

    def notify(kind: OutageKind, cameras: list[str], when: dt.datetime) -> int:
        notice = NoticeInput(
            enterprise="dncx-abc", kind=kind, description="Mất tín hiệu", cameras=cameras
        )
        outage = outages.notify(notice, CONTACT_AUTHOR, when).value
        assert outage is not None and outage.id is not None
        return outage.id

    def repaired(number: int, when: dt.datetime) -> None:
        assert outages.report_restored(number, CONTACT_AUTHOR, when) is not None
        later = when + dt.timedelta(hours=1)
        assert outages.confirm_restored(number, OFFICER_AUTHOR, later) is not None

    # October's, over before November began: not counted.
    october = notify(OutageKind.CAMERA, ["C02"], at(27, 10, month=10))
    repaired(october, at(29, 10, month=10))
    # Mon 2/11, camera: due Mon 16/11 (10 working days), repaired Fri 6/11 after 4.
    in_time = notify(OutageKind.CAMERA, ["C01"], at(2, 10))
    repaired(in_time, at(6, 15))
    # Mon 9/11, transmission (every camera on the map): due Thu 12/11, repaired Mon 16/11.
    late = notify(OutageKind.TRANSMISSION, [], at(9, 9))
    repaired(late, at(16, 10))
    # Fri 6/11, camera: due Fri 20/11, still open on the 25th (24/11 is a holiday): 12 of 10.
    still_open = notify(OutageKind.CAMERA, ["C02"], at(6, 10))
    return [in_time, late, still_open]


def record_month(desk: Desk) -> Month:
    """Everything November's statistics count, recorded in time order per kind of record."""
    _requests(desk)
    _more_incidents(desk)
    _cameras(desk)
    return Month(desk, _outages(desk))
