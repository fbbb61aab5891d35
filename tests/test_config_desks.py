"""Several duty rooms on one deployment: where desks come from, what each inherits, what is
refused (start-up stops with the key named)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from bot.config import ConfigError, Settings, deployment_desks, load_settings

EXAMPLE = Path(__file__).resolve().parent.parent / "config" / "duty-desk.example.yaml"

SHARED = """\
telegram:
  token: "123:abc"
people:
  - {id: 1, name: An}
  - {id: 2, name: Bình}
  - {id: 3, name: Cường, admin: true}
"""

HCM = """\
key: hcm
name: Trực ban Cục HQ TP. Hồ Chí Minh
telegram: {duty_group_id: -1001, topics: {alerts: 7}}
units:
  - {key: kv1, name: KV1, chat_id: -2001, head: 1}
cameras:
  - {number: C01, name: Cổng A}
roster:
  days:
    "2026-11-25": {shift_leader: 1, officers: [3]}
"""

DONGNAI = """\
key: dongnai
telegram: {duty_group_id: -1002}
cameras:
  - {number: C02, name: Cổng B}
roster:
  days:
    "2026-11-25": {shift_leader: 2}
"""


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "duty-desk.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def listed(*desks: str) -> str:
    """A `desks:` list of the given desk sections."""
    return "desks:\n" + "".join(
        textwrap.indent(desk, "    ").replace("    ", "  - ", 1) for desk in desks
    )


def desk_file(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "desks"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.source == str(path)
    return "\n".join(caught.value.problems)


def test_the_single_desk_file_of_today_is_one_desk_named_main(tmp_path: Path) -> None:
    settings = load_settings(EXAMPLE)
    (desk,) = deployment_desks(settings)
    # The example names its desk on the forms (documents.desk).
    assert (desk.key, desk.name) == ("main", "Trực ban")
    assert desk.settings is settings
    assert deployment_desks(settings) is deployment_desks(settings)
    (unnamed,) = deployment_desks(load_settings(config(tmp_path, SHARED)))
    assert (unnamed.key, unnamed.name) == ("main", "main")


def test_a_single_desk_is_named_by_its_documents(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, "documents: {desk: Trực ban Cục HQ Đồng Nai}\n"))
    (desk,) = deployment_desks(settings)
    assert (desk.key, desk.name) == ("main", "Trực ban Cục HQ Đồng Nai")


def test_desks_listed_in_the_file(tmp_path: Path) -> None:
    settings = load_settings(config(tmp_path, SHARED + listed(HCM, DONGNAI)))
    hcm, dongnai = deployment_desks(settings)
    assert (hcm.key, hcm.name) == ("hcm", "Trực ban Cục HQ TP. Hồ Chí Minh")
    assert (dongnai.key, dongnai.name) == ("dongnai", "dongnai")
    assert hcm.settings.telegram.duty_group_id == -1001
    assert hcm.settings.telegram.topics.alerts == 7
    assert dongnai.settings.telegram.duty_group_id == -1002
    assert dongnai.settings.telegram.topics.alerts is None
    assert [c.number for c in hcm.settings.cameras] == ["C01"]
    assert hcm.settings.camera("C02") is None and dongnai.settings.camera("C02") is not None
    assert [u.key for u in hcm.settings.units] == ["kv1"] and dongnai.settings.units == []
    # One bot for every desk.
    assert dongnai.settings.telegram.token_value() == "123:abc"


def test_desks_from_one_file_each_in_the_desks_folder(tmp_path: Path) -> None:
    desk_file(tmp_path, "dongnai.yaml", DONGNAI.replace("key: dongnai\n", ""))
    desk_file(tmp_path, "hcm.yaml", HCM)
    desk_file(tmp_path, "binhduong.yaml", "telegram: {duty_group_id: -1003}\n")
    desk_file(tmp_path, "angiang.yml", "telegram: {duty_group_id: -1004}\n")
    (tmp_path / "desks" / "notes.txt").write_text("not a desk", encoding="utf-8")
    settings = load_settings(config(tmp_path, SHARED))
    # In the files' name order (not the folder's own); a file's key defaults to its name.
    assert [d.key for d in deployment_desks(settings)] == ["angiang", "binhduong", "dongnai", "hcm"]


def test_a_desks_roster_csv_is_read_relative_to_the_file_naming_it(tmp_path: Path) -> None:
    desk_file(
        tmp_path, "dongnai.yaml", "telegram: {duty_group_id: -1002}\nroster: {file: dn.csv}\n"
    )
    (tmp_path / "desks" / "dn.csv").write_text(
        "date,shift_leader,section_leader,clerk,officers\n2026-11-26,2,,,1\n", encoding="utf-8"
    )
    (desk,) = deployment_desks(load_settings(config(tmp_path, SHARED)))
    assert desk.settings.roster.days[dt.date(2026, 11, 26)].shift_leader == 2
    # Named by the CSV alone, both shared people are this desk's.
    assert sorted(p.id for p in desk.settings.people) == [1, 2]


def test_the_list_and_the_folder_together_and_a_folder_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "rooms").mkdir()
    (tmp_path / "rooms" / "dongnai.yaml").write_text(DONGNAI, encoding="utf-8")
    desk_file(tmp_path, "ignored.yaml", "telegram: {duty_group_id: -1009}\n")
    path = config(tmp_path, SHARED + "desks_folder: rooms\n" + listed(HCM))
    assert [d.key for d in deployment_desks(load_settings(path))] == ["hcm", "dongnai"]


def test_the_desks_folder_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "rooms").mkdir()
    (tmp_path / "rooms" / "dongnai.yaml").write_text(DONGNAI, encoding="utf-8")
    monkeypatch.setenv("DUTY_DESK_DESKS_FOLDER", "rooms")
    settings = load_settings(config(tmp_path, SHARED + listed(HCM)))
    assert [d.key for d in deployment_desks(settings)] == ["hcm", "dongnai"]


def test_a_top_level_default_reaches_every_desk_and_a_desks_own_value_wins(
    tmp_path: Path,
) -> None:
    top = SHARED + "locale: en\nescalation: {reply_deadline_minutes: 40}\n"
    own = DONGNAI + "locale: vi\nescalation: {unit_reminder_minutes: [35]}\n"
    hcm, dongnai = deployment_desks(load_settings(config(tmp_path, top + listed(HCM, own))))
    assert hcm.settings.locale == "en"
    assert dongnai.settings.locale == "vi"
    assert hcm.settings.escalation.reply_deadline_minutes == 40
    assert hcm.settings.escalation.unit_reminder_minutes == [15, 25]
    # Mappings merge key by key: the desk's reminders with the deployment's deadline.
    assert dongnai.settings.escalation.reply_deadline_minutes == 40
    assert dongnai.settings.escalation.unit_reminder_minutes == [35]


def test_a_shared_person_is_in_the_desks_that_name_them_only(tmp_path: Path) -> None:
    own = DONGNAI + "people:\n  - {id: '9', name: Dũng, unit: null}\n"
    hcm, dongnai = deployment_desks(load_settings(config(tmp_path, SHARED + listed(HCM, own))))
    # hcm names 1 (unit head, shift leader) and 3 (officer); dongnai names 2 and has its own 9.
    assert sorted(p.id for p in hcm.settings.people) == [1, 3]
    assert sorted(p.id for p in dongnai.settings.people) == [2, 9]
    assert dongnai.settings.person(1) is None and hcm.settings.person(9) is None
    assert hcm.settings.person(3).admin  # type: ignore[union-attr]


def test_admins_are_per_desk(tmp_path: Path) -> None:
    hcm = HCM + "admins: [2]\n"
    one, two = deployment_desks(load_settings(config(tmp_path, SHARED + listed(hcm, DONGNAI))))
    assert one.settings.person(2).admin  # type: ignore[union-attr]
    assert not two.settings.person(2).admin  # type: ignore[union-attr]
    assert not one.settings.person(1).admin  # type: ignore[union-attr]


def test_the_environment_reaches_every_desk_but_not_a_desks_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUTY_DESK_TELEGRAM__TOKEN", "999:from-env")
    monkeypatch.setenv("DUTY_DESK_DATABASE__URL", "postgresql+psycopg://duty@db/duty_desk")
    monkeypatch.setenv("DUTY_DESK_LOCALE", "en")
    own = DONGNAI + "locale: vi\n"
    desks = deployment_desks(load_settings(config(tmp_path, SHARED + listed(HCM, own))))
    assert [d.settings.telegram.token_value() for d in desks] == ["999:from-env"] * 2
    assert {d.settings.database.url for d in desks} == {"postgresql+psycopg://duty@db/duty_desk"}
    assert [d.settings.telegram.duty_group_id for d in desks] == [-1001, -1002]
    # The environment set the deployment's default; the desk that says otherwise keeps its own.
    assert [d.settings.locale for d in desks] == ["en", "vi"]


def test_a_group_from_the_environment_is_refused_with_desks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUTY_DESK_TELEGRAM__DUTY_GROUP_ID", "-1005")
    assert problems_of(config(tmp_path, SHARED + listed(HCM, DONGNAI))) == (
        "telegram.duty_group_id: with desks, each desk lists its own "
        "(desks[<key>].telegram.duty_group_id)"
    )


@pytest.mark.parametrize(
    ("top", "key"),
    [
        ("telegram: {duty_group_id: -1009}\n", "telegram.duty_group_id"),
        ("telegram: {topics: {alerts: 3}}\n", "telegram.topics"),
        ("units: [{key: kv9, name: KV9}]\n", "units"),
        ("cameras: [{number: C09, name: X}]\n", "cameras"),
        ("enterprises: [{key: abc, name: ABC, tax_code: '0312345678'}]\n", "enterprises"),
        ("roster: {days: {'2026-11-25': {shift_leader: 1}}}\n", "roster"),
        ("roster: {file: r.csv}\n", "roster"),
        ("epz: {rotation: {officers: [1]}}\n", "epz.rotation.officers"),
    ],
)
def test_with_desks_the_top_level_does_not_describe_a_desk(
    tmp_path: Path, top: str, key: str
) -> None:
    (tmp_path / "r.csv").write_text(
        "date,shift_leader,section_leader,clerk,officers\n", encoding="utf-8"
    )
    text = SHARED.replace("telegram:\n", "telegram:\n  base_url: http://x/bot\n") + listed(HCM)
    shared_and_top = _merge_top(text, top)
    assert problems_of(config(tmp_path, shared_and_top)) == (
        f"{key}: with desks, each desk lists its own (desks[<key>].{key})"
    )


def _merge_top(text: str, top: str) -> str:
    # A second top-level telegram mapping would replace the first; fold it in instead.
    if top.startswith("telegram: "):
        inner = top.removeprefix("telegram: {").removesuffix("}\n")
        return text.replace("telegram:\n", f"telegram:\n  {inner}\n", 1)
    return top + text


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (
            "database: {url: 'sqlite:///x.db'}\n",
            "desks[hcm].database: deployment-wide; set it at the top level",
        ),
        ("log_format: json\n", "desks[hcm].log_format: deployment-wide; set it at the top level"),
        (
            "intake: {enabled: false}\n",
            "desks[hcm].intake: deployment-wide; set it at the top level",
        ),
        (
            "retention: {enabled: false}\n",
            "desks[hcm].retention: deployment-wide; set it at the top level",
        ),
        ("coordination: {}\n", "desks[hcm].coordination: deployment-wide; set it at the top level"),
        ("ops: {port: 1}\n", "desks[hcm].ops: deployment-wide; set it at the top level"),
        ("timezon: Asia/Bangkok\n", "desks[hcm].timezon: unknown key (check its spelling"),
        ("admins: [77]\n", "desks[hcm].admins: person 77 is not listed under people"),
        ("admins: 1\n", "desks[hcm].admins: expected a list of person ids"),
        ("name: ''\n", "desks[hcm].name: expected the desk's display name"),
        ("people: [{id: 2, name: Bình}]\n", "desks[hcm].people: person 2 is listed twice"),
        ("locale: fr\n", "desks[hcm].locale: Input should be 'vi' or 'en' (got 'fr')"),
        (
            "timezone: Asia/Saigon_City\n",
            "desks[hcm].timezone: unknown time zone 'Asia/Saigon_City'; expected an IANA name",
        ),
        (
            "escalation: {reply_dealine_minutes: 5}\n",
            "desks[hcm].escalation.reply_dealine_minutes: unknown key",
        ),
    ],
)
def test_a_bad_desk_section_is_named(tmp_path: Path, extra: str, problem: str) -> None:
    assert problem in problems_of(config(tmp_path, SHARED + listed(HCM + extra, DONGNAI)))


@pytest.mark.parametrize(
    "telegram_key",
    ["token: '1:x'", "mode: webhook", "rate_limits: {max_attempts: 2}", "base_url: http://x"],
)
def test_a_desk_has_no_bot_of_its_own(tmp_path: Path, telegram_key: str) -> None:
    hcm = HCM.replace("telegram: {", "telegram: {" + telegram_key + ", ")
    name = telegram_key.split(":")[0]
    assert problems_of(config(tmp_path, SHARED + listed(hcm, DONGNAI))) == (
        f"desks[hcm].telegram.{name}: deployment-wide; set it at the top level"
    )


def test_a_misspelt_key_inside_a_desks_telegram_is_named(tmp_path: Path) -> None:
    hcm = HCM.replace("duty_group_id: -1001", "duty_group: -1001")
    assert "desks[hcm].telegram.duty_group: unknown key" in problems_of(
        config(tmp_path, SHARED + listed(hcm, DONGNAI))
    )


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (
            HCM.replace(
                "{number: C01, name: Cổng A}", "{number: C01, name: Cổng A, neighbours: [C10]}"
            ),
            "desks[hcm].cameras: camera C01 has unknown neighbours C10",
        ),
        (
            HCM.replace("shift_leader: 1,", "shift_leader: 8,"),
            "desks[hcm].roster.days.2026-11-25.shift_leader: person 8 is not listed under people",
        ),
        (
            HCM.replace("head: 1}", "head: 8}"),
            "desks[hcm].units: kv1 names head 8, who is not listed under people",
        ),
        (
            HCM.replace("{number: C01, name: Cổng A}", "{number: C01, name: ''}"),
            "desks[hcm].cameras.0.name: String should have at least 1 character (got '')",
        ),
    ],
)
def test_a_desks_own_checks_are_named_under_the_desk(
    tmp_path: Path, broken: str, problem: str
) -> None:
    assert problems_of(config(tmp_path, SHARED + listed(broken, DONGNAI))) == problem


def test_a_person_named_in_a_desk_must_be_a_shared_person_or_its_own(tmp_path: Path) -> None:
    # A shared person is not another desk's own: dongnai's 9 is unknown to hcm.
    own = DONGNAI + "people:\n  - {id: 9, name: Dũng}\n"
    hcm = HCM.replace("officers: [3]", "officers: [9]")
    assert problems_of(config(tmp_path, SHARED + listed(hcm, own))) == (
        "desks[hcm].roster.days.2026-11-25.officers: person 9 is not listed under people"
    )


@pytest.mark.parametrize(
    ("dongnai", "problem"),
    [
        (
            DONGNAI.replace("-1002", "-1001"),
            "desks[dongnai].telegram.duty_group_id: group -1001 is already desks[hcm]'s duty group",
        ),
        (
            DONGNAI + "units:\n  - {key: kv2, name: KV2, chat_id: -1001}\n",
            "desks[dongnai].units[kv2].chat_id: group -1001 is already desks[hcm]'s duty group",
        ),
        (
            DONGNAI.replace("-1002", "-2001"),
            "desks[dongnai].telegram.duty_group_id: group -2001 is already desks[hcm]'s unit kv1",
        ),
        (
            DONGNAI.replace("C02", "C01"),
            "desks[dongnai].cameras: camera C01 is already desks[hcm]'s; a camera number "
            "belongs to one desk (an alert is routed by it)",
        ),
        (
            DONGNAI.replace("telegram: {duty_group_id: -1002}\n", ""),
            "desks[dongnai].telegram.duty_group_id: each desk needs its duty group",
        ),
        (
            DONGNAI.replace("key: dongnai", "key: hcm"),
            "desks[hcm]: the same key twice, in desks[0] of ",
        ),
        (
            DONGNAI.replace("key: dongnai", "key: Đồng Nai"),
            "desks[Đồng Nai].key: expected lower-case letters, digits, _ and -",
        ),
        (
            DONGNAI.replace("key: dongnai", "key: " + "d" * 65),
            "at most 64 characters",
        ),
        (
            DONGNAI.replace("key: dongnai\n", ""),
            "desks[1].key: each desk needs a key, e.g. dongnai",
        ),
    ],
)
def test_desks_are_checked_against_each_other(tmp_path: Path, dongnai: str, problem: str) -> None:
    assert problem in problems_of(config(tmp_path, SHARED + listed(HCM, dongnai)))


def test_an_enterprise_belongs_to_one_desk(tmp_path: Path) -> None:
    enterprise = "enterprises:\n  - {key: abc, name: ABC, tax_code: '0312345678'}\n"
    assert problems_of(
        config(tmp_path, SHARED + listed(HCM + enterprise, DONGNAI + enterprise))
    ) == (
        "desks[dongnai].enterprises: abc is already desks[hcm]'s; an enterprise belongs to one desk"
    )


def test_one_desk_alone_may_do_without_a_group(tmp_path: Path) -> None:
    (desk,) = deployment_desks(
        load_settings(
            config(
                tmp_path, SHARED + listed(DONGNAI.replace("telegram: {duty_group_id: -1002}\n", ""))
            )
        )
    )
    assert desk.settings.telegram.duty_group_id is None


def test_the_same_key_in_the_list_and_a_file_names_both_places(tmp_path: Path) -> None:
    path = desk_file(tmp_path, "hcm.yaml", HCM.replace("key: hcm\n", ""))
    main = config(tmp_path, SHARED + listed(HCM))
    assert (
        problems_of(main) == f"desks[hcm]: the same key twice, in desks[0] of {main} and in {path}"
    )


def test_a_bad_desk_file_is_named_with_its_path(tmp_path: Path) -> None:
    path = desk_file(tmp_path, "hcm.yaml", "telegram: [unclosed\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config(tmp_path, SHARED))
    assert caught.value.source == str(path)
    assert "is not valid YAML" in caught.value.problems[0]


def test_a_desks_folder_that_is_not_there_is_named(tmp_path: Path) -> None:
    assert problems_of(config(tmp_path, SHARED + "desks_folder: rooms\n")) == (
        f"desks_folder: {tmp_path / 'rooms'} is not a folder (expected one YAML file per desk)"
    )


def test_a_shared_persons_unit_is_kept_by_the_desk_that_has_it(tmp_path: Path) -> None:
    shared = SHARED.replace("{id: 1, name: An}", "{id: 1, name: An, unit: kv1}")
    hcm = HCM
    dongnai = DONGNAI.replace("shift_leader: 2", "shift_leader: 1")
    one, two = deployment_desks(load_settings(config(tmp_path, shared + listed(hcm, dongnai))))
    assert one.settings.person(1).unit == "kv1"  # type: ignore[union-attr]
    assert two.settings.person(1).unit is None  # type: ignore[union-attr]
    # A unit's contact, named by no roster, is known to the desk of the unit only.
    contact = SHARED + "  - {id: 4, name: Giang, unit: kv1}\n"
    one, two = deployment_desks(load_settings(config(tmp_path, contact + listed(hcm, DONGNAI))))
    assert one.settings.person(4) is not None and two.settings.person(4) is None
    unknown = SHARED.replace("{id: 1, name: An}", "{id: 1, name: An, unit: kv7}")
    assert problems_of(config(tmp_path, unknown + listed(hcm, dongnai))) == (
        "people: An names unit 'kv7', which is not among any desk's units"
    )


def test_settings_made_in_code_are_checked_when_their_desks_are_asked_for() -> None:
    settings = Settings(desks=[{"key": "a", "telegram": {"duty_group_id": -1}}, {"key": "a"}])
    with pytest.raises(ConfigError) as caught:
        deployment_desks(settings)
    assert caught.value.problems == ["desks[a]: two desks have this key; each desk needs its own"]


def test_a_copy_with_other_desks_has_those_desks() -> None:
    settings = Settings(desks=[{"key": "a"}])
    assert [d.key for d in deployment_desks(settings)] == ["a"]
    copy = settings.model_copy(update={"desks": [{"key": "b"}]})
    assert [d.key for d in deployment_desks(copy)] == ["b"]
    assert [d.key for d in deployment_desks(settings)] == ["a"]


def test_desks_that_are_not_a_list_are_named_even_with_a_folder(tmp_path: Path) -> None:
    desk_file(tmp_path, "hcm.yaml", HCM)
    assert problems_of(config(tmp_path, SHARED + "desks: {dongnai: {}}\n")) == (
        "desks: Input should be a valid list"
    )


def test_start_up_stops_on_two_desks_in_one_group(tmp_path: Path) -> None:
    path = config(tmp_path, SHARED + listed(HCM, DONGNAI.replace("-1002", "-1001")))
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), "config"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DUTY_DESK_LOCALE": "en"},
    )
    assert done.returncode == 2
    assert (
        "desks[dongnai].telegram.duty_group_id: group -1001 is already desks[hcm]'s" in done.stderr
    )


def test_the_examples_two_desks_are_valid(tmp_path: Path) -> None:
    """The commented two-desk example in the example file loads as written (uncommented)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    block = text[text.index("\n# desks:\n") + 1 :].split("\n\n", 1)[0]
    example = yaml.safe_load("\n".join(line.removeprefix("# ") for line in block.splitlines()))
    top = yaml.safe_load(text)
    for key in ("units", "cameras", "enterprises", "roster", "desks", "epz"):
        top.pop(key)
    del top["telegram"]["duty_group_id"], top["telegram"]["topics"]
    top["desks"] = example["desks"]
    (tmp_path / "roster-hcm.csv").write_text(
        "date,shift_leader,section_leader,clerk,officers\n2026-11-25,1001,1002,1003,1004\n",
        encoding="utf-8",
    )
    path = tmp_path / "duty-desk.yaml"
    path.write_text(yaml.safe_dump(top, allow_unicode=True), encoding="utf-8")
    hcm, dongnai = deployment_desks(load_settings(path))
    assert (hcm.key, dongnai.name) == ("hcm", "Trực ban Cục HQ Đồng Nai")
    assert dongnai.settings.escalation.reply_deadline_minutes == 20
    assert sorted(p.id for p in dongnai.settings.people) == [1001, 2001]
    assert hcm.settings.person(1005).admin  # type: ignore[union-attr]
