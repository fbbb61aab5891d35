"""Configuration: YAML plus DUTY_DESK_* overrides; bad keys stop start-up and are named."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.config import ConfigError, Enterprise, load_settings

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "duty-desk.example.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "duty-desk.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_file_is_valid_and_documents_every_section() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.locale == "vi"
    assert settings.shift.start == dt.time(8, 0)
    assert settings.roster.days[dt.date(2026, 11, 25)].shift_leader == 1001
    text = EXAMPLE.read_text(encoding="utf-8")
    for key in type(settings).model_fields:
        assert f"\n{key}:" in text, key


def test_a_misspelt_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "telegram:\n  duty_group: -100123\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert any("telegram.duty_group: unknown key" in p for p in caught.value.problems)


def test_an_invalid_value_names_the_key_and_what_is_expected(tmp_path: Path) -> None:
    path = write(tmp_path, "locale: fr\nshift:\n  start: '8h'\npeople:\n  - id: abc\n    name: X\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    problems = "\n".join(caught.value.problems)
    assert "locale: Input should be 'vi' or 'en' (got 'fr')" in problems
    assert "shift.start:" in problems
    assert "people.0.id: Input should be a valid integer" in problems


def test_roster_must_name_configured_people(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people:\n  - {id: 1, name: An}\nroster:\n  days:\n    '2026-11-25': {shift_leader: 2}\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert (
        "roster.days.2026-11-25.shift_leader: person 2 is not listed under people"
        in (caught.value.problems[0])
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "people:\n  - {id: 1, name: An}\nunits:\n  - {key: kv1, name: KV1, head: 2}\n",
            "units: kv1 names head 2, who is not listed under people",
        ),
        (
            "epz:\n  rotation:\n    officers: [7]\n",
            "epz.rotation.officers: person 7 is not listed under people",
        ),
        (
            "enterprises:\n  - {key: abc, name: ABC, tax_code: '0312345678', cameras: "
            "[{number: C01}]}\ncameras:\n  - {number: C09, name: X, enterprise: abc}\n",
            "cameras: camera C09 is not on the camera map of abc (C01)",
        ),
    ],
)
def test_epz_references_must_resolve(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text))
    assert problem in caught.value.problems[0]


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "telegram:\n  duty_group_id: -100111\nlocale: vi\n")
    monkeypatch.setenv("DUTY_DESK_TELEGRAM__DUTY_GROUP_ID", "-100222")
    monkeypatch.setenv("DUTY_DESK_TELEGRAM__TOKEN", "123:abc")
    monkeypatch.setenv("DUTY_DESK_LOCALE", "en")
    settings = load_settings(path)
    assert settings.telegram.duty_group_id == -100222
    assert settings.telegram.token_value() == "123:abc"
    assert settings.locale == "en"
    assert "123:abc" not in repr(settings)


def test_token_file_and_roster_csv(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("999:secret-token\n", encoding="utf-8")
    (tmp_path / "roster.csv").write_text(
        "date,shift_leader,section_leader,clerk,officers\n2026-11-26,1,,,2;3\n", encoding="utf-8"
    )
    path = write(
        tmp_path,
        "telegram:\n  token_file: " + str(tmp_path / "token") + "\n"
        "people:\n  - {id: 1, name: An}\n  - {id: 2, name: Bình}\n  - {id: 3, name: C}\n"
        "roster:\n  file: roster.csv\n  days:\n    '2026-11-25': {shift_leader: 2}\n",
    )
    settings = load_settings(path)
    assert settings.telegram.token_value() == "999:secret-token"
    assert settings.roster.days[dt.date(2026, 11, 26)].officers == [2, 3]
    assert settings.roster.days[dt.date(2026, 11, 25)].shift_leader == 2


def test_the_database_password_comes_from_its_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As compose and systemd give it: the URL names user and server, a file the password.
    (tmp_path / "db_password").write_text("p@ss:w%rd\n", encoding="utf-8")
    monkeypatch.setenv("DUTY_DESK_DATABASE__URL", "postgresql+psycopg://duty@db:5432/duty_desk")
    monkeypatch.setenv("DUTY_DESK_DATABASE__PASSWORD_FILE", str(tmp_path / "db_password"))
    url = make_url(load_settings(None).database.url)
    assert (url.username, url.password, url.host, url.database) == (
        "duty",
        "p@ss:w%rd",
        "db",
        "duty_desk",
    )


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (
            "sqlite:///duty-desk.db",
            "password_file is for a database server; an SQLite file has none",
        ),
        (
            "postgresql+psycopg://duty:other@db/duty_desk",
            "the password is given twice: in url and in password_file",
        ),
    ],
)
def test_a_password_file_where_it_cannot_apply_is_refused(
    tmp_path: Path, url: str, problem: str
) -> None:
    (tmp_path / "db_password").write_text("secret", encoding="utf-8")
    path = write(
        tmp_path, f"database:\n  url: {url}\n  password_file: {tmp_path / 'db_password'}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.problems == [f"database: {problem}"]
    assert "secret" not in str(caught.value)


def test_a_missing_password_file_is_named(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "database:\n  url: postgresql+psycopg://duty@db/duty_desk\n"
        f"  password_file: {tmp_path / 'absent'}\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.problems == [
        f"database: password_file {tmp_path / 'absent'} cannot be read: No such file or directory"
    ]


def test_a_bad_roster_csv_names_the_row(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(
        "date,shift_leader,section_leader,clerk,officers\n2026-11-26,abc,,,\n", encoding="utf-8"
    )
    path = write(tmp_path, "roster:\n  file: roster.csv\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert (
        "roster.days.2026-11-26.shift_leader: Input should be a valid integer"
        in (caught.value.problems[0])
    )


def test_start_up_stops_on_a_bad_file_with_the_key_named(tmp_path: Path) -> None:
    path = write(tmp_path, "telegram:\n  tokn: x\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), "run"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DUTY_DESK_LOCALE": "en"},
    )
    assert done.returncode == 2
    assert "telegram.tokn: unknown key" in done.stderr
    assert "cannot be used" in done.stderr


def test_cameras_and_intake_are_checked(tmp_path: Path) -> None:
    (tmp_path / "cam12").write_text("s3cret\n", encoding="utf-8")
    path = write(
        tmp_path,
        "cameras:\n  - number: '12'\n    name: Cổng B\n    neighbours: ['13']\n"
        "    onvif: {host: 10.0.0.12, password_file: "
        + str(tmp_path / "cam12")
        + "}\nintake: {enabled: true}\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    problems = "\n".join(caught.value.problems)
    assert "intake: Value error" not in problems
    assert "an enabled intake needs a secret" in problems
    path = write(tmp_path, "cameras:\n  - number: '12'\n    name: Cổng B\n    neighbours: ['13']\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert "camera 12 has unknown neighbours 13" in caught.value.problems[0]
    path = write(
        tmp_path,
        "cameras:\n  - number: '12'\n    name: Cổng B\n"
        "    onvif: {host: 10.0.0.12, password_file: " + str(tmp_path / "cam12") + "}\n",
    )
    settings = load_settings(path)
    camera = settings.camera("12")
    assert camera is not None and camera.onvif is not None
    assert camera.onvif.password_value() == "s3cret"
    assert "s3cret" not in repr(settings)


def test_the_forms_sources_are_read_and_a_bad_phone_is_named(tmp_path: Path) -> None:
    """Who the official forms name: the unit's parent, place and head, the director, the
    enterprise's signer and place; a phone that is not one stops start-up, named."""
    settings = load_settings(EXAMPLE)
    unit = settings.units[0]
    assert (unit.parent, unit.place, unit.head) == (
        "Cục Hải quan TP. Hồ Chí Minh",
        "TP. Hồ Chí Minh",
        1002,
    )
    assert settings.documents.director == "Trần Văn Đức"
    assert settings.person(1001) is not None and settings.person(1001).phone == "0903 111 222"
    enterprise = settings.enterprises[0]
    assert (enterprise.legal_representative, enterprise.notice_place()) == (
        "Lê Thị Hạnh",
        "TP. Hồ Chí Minh",
    )
    path = write(
        tmp_path,
        "people:\n  - {id: 1, name: An, phone: 'gọi anh An'}\ndocuments:\n  phone: '12'\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    problems = "\n".join(caught.value.problems)
    expected = "a phone number has 8 to 15 digits, spaces or dots allowed (e.g. 0903 123 456"
    assert f"people.0.phone: {expected}" in problems
    assert f"documents.phone: {expected}" in problems


@pytest.mark.parametrize(
    ("address", "place", "expected"),
    [
        ("KCX Tân Thuận, Quận 7, TP. Hồ Chí Minh", "", "TP. Hồ Chí Minh"),
        ("Lô 5, KCN Sóng Thần, tỉnh Bình Dương", "", "Bình Dương"),
        ("Lô 5, KCN Sóng Thần, tỉnh Bình Dương", "Dĩ An", "Dĩ An"),
        # No province to read: the form leaves the place for the clerk.
        ("KCX Linh Trung", "", ""),
    ],
)
def test_an_enterprise_dates_its_notices_at_its_own_place(
    address: str, place: str, expected: str
) -> None:
    enterprise = Enterprise(
        key="abc", name="ABC", tax_code="0312345678", address=address, place=place
    )
    assert enterprise.notice_place() == expected
