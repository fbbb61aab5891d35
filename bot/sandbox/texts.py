"""The page's own words, around the chats it shows, in the sandbox's language.

The bot's messages come translated already; these are the page's buttons, hints and headings,
sent to it once as a table (GET /api/texts) so that they live in the catalogs like every other
word a person reads.
"""

from __future__ import annotations

from bot.camera.digest import KIND_SIGNS, kind_label
from bot.i18n import N_, Translator
from bot.sandbox.world import CAMERA_EVENTS

PAGE_TEXTS: dict[str, str] = {
    "acting_as": N_("Acting as"),
    "clock_title": N_("The desk's clock"),
    "cameras": N_("Cameras"),
    "drills": N_("Drills"),
    "simulated": N_(
        "Everything here is simulated on this machine: Telegram, the cameras, the organisation."
    ),
    "chats": N_("Chats"),
    "write": N_("Write a message…  (/help, /logbook, /shift)"),
    "send": N_("Send"),
    "cameras_title": N_("Simulated cameras"),
    "cameras_note": N_("Set off an event as a real camera would send it over ONVIF."),
    "clock_speed": N_("Clock speed"),
    "unplug": N_("Unplug"),
    "plug_in": N_("Plug back in"),
    "group_sub": N_("{count} members · you are {name} ({role})"),
    "private_sub": N_("private chat with the bot · {name}"),
    "edited": N_("edited"),
    "reply": N_("reply"),
    "photo": N_("photo"),
    "start_drill": N_("Start (×{speed} by default)"),
    "drill_step": N_("step {step}/{steps}"),
    "drill_stopped": N_("stopped: {error}"),
    "rule": N_("Rule"),
    "case": N_("Case"),
    "verdict": N_("Verdict"),
    "drill_report": N_("Drill report"),
    "report_file": N_("File: {path}"),
}


def page_texts(tr: Translator) -> dict[str, str]:
    """Every word of the page, translated; the camera panel's events as the alerts name them."""
    texts = {key: tr(text) for key, text in PAGE_TEXTS.items()}
    texts |= {
        f"event_{kind}": f"{KIND_SIGNS.get(kind, '')} {kind_label(tr, kind)}".strip()
        for kind in CAMERA_EVENTS
    }
    return texts
