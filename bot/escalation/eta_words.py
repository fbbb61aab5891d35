"""The words and patterns of a typed finishing time, in Vietnamese and English.

What officers write ("15:30", "9h sáng mai", "45 phút", "nửa tiếng nữa", "3pm") as the patterns
`eta.py` reads, matched against the text folded to ASCII lower case (diacritics dropped, so
"giờ" and "gio" read alike). A new way of writing a time is added here.
"""

from __future__ import annotations

import datetime as dt
import re

# A bare "2h" or "2 giờ" may be a duration or a clock time; up to this many hours it reads as a
# duration (the usual job length), from the next hour on as a time of day.
BARE_DURATION_MAX_HOURS = 4
# A time of day already past today still means tomorrow when tomorrow's is this close: "0:30"
# typed at 23:30 means after midnight, while "15:30" typed at 16:00 is a mistake.
ROLLOVER_HORIZON = dt.timedelta(hours=12)
# A date typed without a year that lies further back than this means next year's (Dec → Jan).
PAST_DATE_TOLERANCE = dt.timedelta(days=180)
LONGEST_DURATION = dt.timedelta(days=7)

NUMBER_WORDS: dict[str, tuple[int, tuple[str, ...]]] = {
    # folded form: value, and the typed forms accepted (sáu is six, sau is "after").
    "mot": (1, ("một", "mot")),
    "hai": (2, ("hai",)),
    "ba": (3, ("ba",)),
    "bon": (4, ("bốn", "bon")),
    "nam": (5, ("năm", "nam")),
    "sau": (6, ("sáu",)),
    "bay": (7, ("bảy", "bẩy", "bay")),
    "tam": (8, ("tám",)),
    "chin": (9, ("chín", "chin")),
    "muoi": (10, ("mười", "muoi")),
    "one": (1, ("one",)),
    "two": (2, ("two",)),
    "three": (3, ("three",)),
    "four": (4, ("four",)),
    "five": (5, ("five",)),
    "six": (6, ("six",)),
    "ten": (10, ("ten",)),
}
UNIT_WORDS = r"(?:tieng|gio|phut|hours?|hrs?|minutes?|mins?|ngay|days?)"
NUMBER_WORD = re.compile(
    r"(?<!\w)(?P<word>" + "|".join(NUMBER_WORDS) + r")(?=\s+" + UNIT_WORDS + r"(?!\w))"
)

START = r"(?<![\w:/.,])"
AMPM = re.compile(
    START + r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)(?!\w)"
)
COLON = re.compile(START + r"(?P<hour>\d{1,2}):(?P<minute>\d{2})h?(?![\w:]|[./]\d)")
G = re.compile(START + r"(?P<hour>\d{1,2})g(?P<minute>\d{2})?(?!\w)")
HOURS = re.compile(
    START + r"(?P<number>\d{1,3}(?:[.,]\d)?)(?P<unit>\s*(?:tieng|gio|hours?|hrs?)|h)"
    r"(?:(?P<gap>\s*)(?P<minute>\d{1,2})(?P<minute_unit>\s*(?:phut|minutes?|mins?)|ph|p|')?"
    r"|\s+(?P<half>ruoi))?(?!\w)"
)
MINUTES = re.compile(START + r"(?P<number>\d{1,4})(?:\s*(?:phut|minutes?|mins?)|ph|p|m|')(?![\w'])")
DAYS = re.compile(START + r"(?P<number>\d{1,2})\s*(?:ngay|days?)(?!\w)")
HALF_HOUR = re.compile(r"(?<!\w)(?:nua (?:tieng|gio)|half an hour|half hour)(?!\w)")
AN_HOUR = re.compile(r"(?<!\w)an hour(?!\w)")
DATE = re.compile(
    r"(?<![\w/:.])(?P<day>\d{1,2})/(?P<month>\d{1,2})(?:/(?P<year>\d{4}|\d{2}))?(?![\w/]|\.\d)"
)
PERIODS: dict[str, tuple[str, ...]] = {
    # folded form: the typed forms accepted (tối is evening, tôi is "I").
    "sang": ("sáng", "sang"),
    "trua": ("trưa", "trua"),
    "chieu": ("chiều", "chieu"),
    "toi": ("tối", "toi"),
    "dem": ("đêm", "dem"),
    "morning": ("morning",),
    "noon": ("noon",),
    "afternoon": ("afternoon",),
    "evening": ("evening",),
    "night": ("night",),
}
PERIOD_WORD = r"(?P<period>" + "|".join(PERIODS) + r")"
PERIOD_AFTER = re.compile(r"\s*" + PERIOD_WORD + r"(?!\w)(?:\s+(?P<day>nay|mai)(?!\w))?")
PERIOD_BEFORE = re.compile(
    r"(?<!\w)" + PERIOD_WORD + r"(?:\s+(?P<day>nay|mai))?(?:\s+(?:vao luc|luc|vao|at))?\s*$"
)
DAY_WORD = re.compile(
    r"(?<!\w)(?:(?P<plus2>ngay kia|day after tomorrow)|(?P<plus1>ngay mai|tomorrow)"
    r"|(?P<today>hom nay|today)|(?P<tonight>tonight)|(?P<mai>mai))(?!\w)"
)
DAY_FORMS = {"ngay": ("ngày", "ngay"), "hom": ("hôm", "hom"), "mai": ("mai",), "nay": ("nay",)}

CLOCK_MARKERS = ("luc", "vao luc", "vao", "at", "by", "truoc", "den", "until", "before")
DURATION_MARKERS = ("trong", "trong vong", "in", "within", "mat", "sau", "after", "con")
DURATION_SUFFIXES = ("nua", "later", "from now")
# Words that introduce the time and go with it, not with the contact.
LEAD_WORDS = (
    *CLOCK_MARKERS,
    *DURATION_MARKERS,
    "xong",
    "hoan thanh",
    "ket thuc",
    "du kien",
    "khoang",
    "tam",
    "chung",
    "ngay",
    "eta",
    "done",
    "finish",
    "finished",
    "about",
    "around",
    "approx",
)
LEAD = re.compile(r"(?<!\w)(?:" + "|".join(sorted(LEAD_WORDS, key=len, reverse=True)) + r")[\s:]*$")
TRAIL = re.compile(r"\s*(?:" + "|".join(DURATION_SUFFIXES) + r")(?!\w)")
WORDS_BEFORE = re.compile(r"([a-z]+(?:\s+[a-z]+){0,2})[\s:]*$")
CONTACT_STRIP = " \t\r\n,;:-–—|."
