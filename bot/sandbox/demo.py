"""The demo organisation of the sandbox: two duty rooms on one bot, with units, cameras, people.

The Hồ Chí Minh City desk ("main") has the units, most cameras and an EPZ enterprise; the
Đồng Nai desk ("dn") has its own group, roster and a camera. An leads the shift in the first
and is the section leader of the second: people are shared, rights are per desk. Everything
here is invented; the ids are small numbers so they read well in the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.devtools.onvif_camera import SimulatedCamera
from bot.i18n import N_

GROUP = -1001000000001
UNIT_CHAT = -1001000000101
TEAM_CHAT = -1001000000102
DN_GROUP = -1001000000201
LEADER, SECTION, CLERK, OFFICER, OFFICER_2 = 101, 102, 103, 104, 105
DN_LEADER, DN_OFFICER = 111, 112
UNIT_CONTACT, TEAM_CONTACT, EPZ_CONTACT = 201, 202, 301
# The desks' keys: the first keeps the key of a single-desk sandbox kept with --data-dir.
MAIN_DESK, DN_DESK = "main", "dn"
ENTERPRISE_KEY = "dncx-abc"
CAMERA_PASSWORD = "sandbox"


@dataclass(frozen=True)
class Persona:
    """Someone the page lets the user act as: a person of the demo, with their role."""

    id: int
    name: str
    first_name: str
    # Their title in the organisation, as the configuration lists it.
    title: str
    # What they do at the desk, as the page names them.
    role: str


PERSONAS: tuple[Persona, ...] = (
    Persona(LEADER, "Nguyễn Văn An", "An", "Lãnh đạo ca trực", N_("Shift leader")),
    Persona(SECTION, "Trần Thị Bình", "Bình", "Lãnh đạo phòng trực", N_("Section leader")),
    Persona(CLERK, "Lê Văn Cường", "Cường", "Thư ký ca trực", N_("Logbook clerk")),
    Persona(OFFICER, "Phạm Thị Dung", "Dung", "Công chức trực ban", N_("Duty officer")),
    Persona(OFFICER_2, "Hoàng Văn Em", "Em", "Công chức trực ban", N_("Duty officer")),
    Persona(UNIT_CONTACT, "Võ Văn Giang", "Giang", "Đầu mối Chi cục KV1", N_("Unit contact")),
    Persona(TEAM_CONTACT, "Đặng Thị Hoa", "Hoa", "Đầu mối Đội Kiểm soát", N_("Unit contact")),
    Persona(EPZ_CONTACT, "Đỗ Minh Tuấn", "Tuấn", "Đầu mối DNCX ABC", N_("EPZ contact")),
    Persona(DN_LEADER, "Bùi Văn Long", "Long", "Lãnh đạo ca trực Đồng Nai", N_("Shift leader")),
    Persona(DN_OFFICER, "Ngô Thị Mai", "Mai", "Công chức trực ban Đồng Nai", N_("Duty officer")),
)


@dataclass(frozen=True)
class Chat:
    """A chat of the demo besides the private ones."""

    id: int
    title: str
    members: tuple[int, ...]


CHATS: tuple[Chat, ...] = (
    Chat(GROUP, "Tổ trực ban Cục Hải quan", (LEADER, SECTION, CLERK, OFFICER, OFFICER_2)),
    Chat(UNIT_CHAT, "Trực ban Chi cục HQ KV1", (UNIT_CONTACT,)),
    Chat(TEAM_CHAT, "Đội Kiểm soát Hải quan", (TEAM_CONTACT,)),
    Chat(DN_GROUP, "Tổ trực ban Cục HQ Đồng Nai", (DN_LEADER, DN_OFFICER, LEADER)),
)


@dataclass(frozen=True)
class DemoCamera:
    """A simulated camera and its place on the camera map."""

    key: str
    number: str
    name: str
    place: str
    area: str
    unit: str | None = None
    enterprise: str | None = None
    neighbours: tuple[str, ...] = ()
    desk: str = MAIN_DESK


CAMERAS: tuple[DemoCamera, ...] = (
    DemoCamera(
        "gate",
        "01",
        "Cổng A làn vào",
        "Cảng Cát Lái, cổng A",
        "Cát Lái",
        "hq-kv1",
        neighbours=("02",),
    ),
    DemoCamera(
        "yard",
        "02",
        "Bãi container B3",
        "Cảng Cát Lái, bãi B3",
        "Cát Lái",
        "hq-kv1",
        neighbours=("01",),
    ),
    DemoCamera("warehouse", "03", "Kho CFS số 2", "ICD Transimex, kho CFS số 2", "ICD", "doi-ks"),
    DemoCamera(
        "epz-gate",
        "C01",
        "Cổng chính DNCX ABC",
        "KCX Tân Thuận, cổng chính",
        "KCX",
        "hq-kv1",
        enterprise=ENTERPRISE_KEY,
    ),
    DemoCamera(
        "longbinh",
        "DN01",
        "Cổng KCX Long Bình",
        "KCX Long Bình, cổng chính",
        "Long Bình",
        desk=DN_DESK,
    ),
)


def camera_by_key(key: str) -> DemoCamera | None:
    """A demo camera by its key (gate, yard, warehouse, epz-gate) or its number."""
    return next((c for c in CAMERAS if key in (c.key, c.number)), None)


def simulated_cameras() -> dict[str, SimulatedCamera]:
    """One simulated ONVIF camera per demo camera, not yet started."""
    return {
        c.key: SimulatedCamera(
            name=f"CAM {c.number} {c.name}", password=CAMERA_PASSWORD, serial=f"SBX-{c.number}"
        )
        for c in CAMERAS
    }


def _roster(today: dt.date) -> dict[str, Any]:
    # The same crew every day, from yesterday on: a drill at night or a jump of a few days
    # still finds a shift leader on the roster.
    crew = {
        "shift_leader": LEADER,
        "section_leader": SECTION,
        "clerk": CLERK,
        "officers": [OFFICER, OFFICER_2],
    }
    return {(today + dt.timedelta(days=n)).isoformat(): crew for n in range(-1, 15)}


def _dn_roster(today: dt.date) -> dict[str, Any]:
    crew = {"shift_leader": DN_LEADER, "section_leader": LEADER, "officers": [DN_OFFICER]}
    return {(today + dt.timedelta(days=n)).isoformat(): crew for n in range(-1, 15)}


def demo_config(
    *,
    base_url: str,
    base_file_url: str,
    token: str,
    database_url: str,
    cameras: dict[str, SimulatedCamera],
    today: dt.date,
) -> dict[str, Any]:
    """The settings of the demo desk, pointed at the emulator and the started cameras."""
    people = [{"id": p.id, "name": p.name, "title": p.title} for p in PERSONAS]
    # The numbers the forms print after the desk's contacts (888 Annexes II and V).
    phones = {LEADER: "0903 111 222", OFFICER: "0912 345 678", OFFICER_2: "0912 345 679"}
    for person in people:
        if person["id"] in phones:
            person["phone"] = phones[person["id"]]
    units = {UNIT_CONTACT: "hq-kv1", TEAM_CONTACT: "doi-ks"}
    for person in people:
        if person["id"] in units:
            person["unit"] = units[person["id"]]
    people = [p for p in people if p["id"] != EPZ_CONTACT]
    camera_map: dict[str, list[dict[str, Any]]] = {MAIN_DESK: [], DN_DESK: []}
    for demo in CAMERAS:
        sim = cameras[demo.key]
        camera: dict[str, Any] = {
            "number": demo.number,
            "name": demo.name,
            "place": demo.place,
            "area": demo.area,
            "neighbours": list(demo.neighbours),
            "onvif": {
                "host": sim.host,
                "port": sim.port,
                "username": sim.username,
                "password": CAMERA_PASSWORD,
            },
        }
        if demo.unit:
            camera["unit"] = demo.unit
        if demo.enterprise:
            camera["enterprise"] = demo.enterprise
        camera_map[demo.desk].append(camera)
    return {
        "telegram": {
            "token": token,
            "base_url": base_url,
            "base_file_url": base_file_url,
            "poll_timeout_seconds": 1,
            # The emulator has no flood limit; a brisker pace keeps a walkthrough snappy.
            "rate_limits": {"group_per_minute": 120, "private_per_second": 10},
        },
        "database": {"url": database_url},
        "people": people,
        "desks": [
            {
                "key": MAIN_DESK,
                "name": "Trực ban Cục Hải quan TP. Hồ Chí Minh",
                "telegram": {"duty_group_id": GROUP},
                "units": [
                    {
                        "key": "hq-kv1",
                        "name": "Chi cục HQ CK cảng Sài Gòn KV1",
                        "chat_id": UNIT_CHAT,
                        "head": UNIT_CONTACT,
                        "parent": "Cục Hải quan TP. Hồ Chí Minh",
                        "place": "TP. Hồ Chí Minh",
                    },
                    {
                        "key": "doi-ks",
                        "name": "Đội Kiểm soát Hải quan",
                        "chat_id": TEAM_CHAT,
                        "parent": "Cục Hải quan TP. Hồ Chí Minh",
                        "place": "TP. Hồ Chí Minh",
                    },
                ],
                "cameras": camera_map[MAIN_DESK],
                "enterprises": [
                    {
                        "key": ENTERPRISE_KEY,
                        "name": "Công ty TNHH ABC Việt Nam",
                        "tax_code": "0312345678",
                        "address": "KCX Tân Thuận, Quận 7, TP. Hồ Chí Minh",
                        "legal_representative": "Lê Thị Hạnh",
                        "branch": "hq-kv1",
                        "officer": OFFICER,
                        "cameras": [
                            {"number": "C01", "name": "Cổng chính", "kind": "gate"},
                            {"number": "C02", "name": "Kho ngoại quan", "kind": "storage"},
                        ],
                    }
                ],
                "roster": {"days": _roster(today)},
            },
            {
                "key": DN_DESK,
                "name": "Trực ban Cục Hải quan Đồng Nai",
                "telegram": {"duty_group_id": DN_GROUP},
                "cameras": camera_map[DN_DESK],
                "roster": {"days": _dn_roster(today)},
            },
        ],
        "alerts": {"health_every_seconds": 120},
        "documents": {
            "authority": "Tổng cục Hải quan",
            "desk": "Trực ban",
            "director": "Trần Văn Đức",
            "phone": "024 3944 0833",
        },
    }
