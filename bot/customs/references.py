"""Customs references typed in free text: declarations, containers, vehicle plates, tax codes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class ReferenceKind(StrEnum):
    """The kinds of reference an officer quotes in a duty request."""

    DECLARATION = "declaration"
    CONTAINER = "container"
    PLATE = "plate"
    TAX_CODE = "tax_code"


class ProblemCode(StrEnum):
    """Why a reference-looking token was not accepted."""

    BAD_CHECK_DIGIT = "bad_check_digit"
    BAD_FORMAT = "bad_format"


@dataclass(frozen=True)
class ReferenceProblem:
    """A token that was meant as a reference but is not a valid one, quoted as typed."""

    kind: ReferenceKind
    text: str
    code: ProblemCode
    expected_digit: int | None = None


@dataclass(frozen=True)
class References:
    """Normalised references found in a text, each kind in order of first appearance."""

    declarations: tuple[str, ...] = ()
    containers: tuple[str, ...] = ()
    plates: tuple[str, ...] = ()
    tax_codes: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when no reference of any kind was found."""
        return not (self.declarations or self.containers or self.plates or self.tax_codes)


# ISO 6346 letter values: from A=10 upwards, skipping multiples of 11.
_LETTER_VALUES: dict[str, int] = {}
_value = 10
for _letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    if _value % 11 == 0:
        _value += 1
    _LETTER_VALUES[_letter] = _value
    _value += 1
del _value, _letter

_CONTAINER_CATEGORIES = "UJZ"
_SEPARATORS = re.compile(r"[\s\-.]")
_OWNER_SERIAL = re.compile(r"[A-Z]{4}\d{6}")
_CONTAINER_SHAPE = re.compile(rf"[A-Z]{{3}}[{_CONTAINER_CATEGORIES}]\d{{7}}")
_TAX_CODE = re.compile(r"(\d{10})(?:-(\d{3}))?")
_DECLARATION = re.compile(r"\d{12}")

# Matched on the folded text (diacritics dropped, case kept), so offsets equal the typed text's.
_CONTAINER_BODY = (
    r"(?P<owner>[A-Za-z]{4})(?P<sep1>[ \-]?)(?P<serial>\d{6})(?P<sep2>[ \-]?)"
    r"(?P<check>\d)(?!\w|[.\-]\d)"
)
_CONTAINER = re.compile(r"(?<!\w)" + _CONTAINER_BODY)
_CONTAINER_AFTER_LABEL = re.compile(_CONTAINER_BODY)
# A motorbike series digit (29-A1 123.45) is only read when a separator follows it: glued, as
# in 29A112345, it cannot be told from the number.
_PLATE_BODY = (
    r"(?P<province>\d{2})-?(?P<series>[A-Za-z]{1,2})"
    r"(?:(?P<series_digit>\d)(?=[ .\-]))?(?P<sep>[ .\-]?)"
    r"(?P<number>\d{3}\.\d{2}|\d{4,5})(?!\w|[.\-]\d)"
)
_PLATE = re.compile(r"(?<![\w.\-])" + _PLATE_BODY)
_PLATE_AFTER_LABEL = re.compile(_PLATE_BODY)
_NUMBER = re.compile(r"(?<![\w.+\-/])(?P<number>\d{10}-\d{3}|\d+)(?!\w|[.\-/]\d)")
# Labelled numbers may be grouped (tk 105 123 456 789); the grouping is kept only when it adds
# up to a valid length, so a label followed by two numbers still reads the first alone.
_GROUPED_NUMBER = re.compile(r"\d{1,4}(?:[ .\-]\d{2,4})+(?!\w|[.\-]\d)")
_PLAIN_NUMBER = re.compile(r"\d+(?:-\d+)?(?!\w|[.\-]\d)")
_PHONE_NUMBER = re.compile(r"\+?\d+(?:[ .\-]\d{2,4}){0,3}")
_ANY_TOKEN = re.compile(r"[^\s,;]+")

_LABEL_WORDS: dict[ReferenceKind | None, tuple[str, ...]] = {
    ReferenceKind.DECLARATION: (
        r"so to khai(?: hai quan)?",
        r"to khai(?: hai quan)?",
        r"so tk",
        r"tkhq",
        r"tk",
        r"customs declarations?",
        r"declarations?(?: no)?",
        r"decl",
    ),
    ReferenceKind.TAX_CODE: (r"ma so thue", r"mst", r"tax codes?", r"tax id", r"tax no"),
    ReferenceKind.CONTAINER: (r"so cont(?:ainer)?", r"containers?(?: no)?", r"conts?", r"cnt"),
    ReferenceKind.PLATE: (
        r"bien kiem soat",
        r"bien so(?: xe)?",
        r"bks",
        r"bsx",
        r"plates?(?: no| number)?",
    ),
    # Phone labels keep a 10-digit phone number from being read as a tax code.
    None: (r"so dien thoai", r"dien thoai", r"sdt", r"dt", r"phone", r"tel", r"hotline"),
}
_LABEL_KIND: dict[str, ReferenceKind | None] = {}
_LABEL_PATTERNS: list[str] = []
for _kind, _words in _LABEL_WORDS.items():
    for _index, _word in enumerate(_words):
        _name = f"{_kind or 'phone'}_{_index}"
        _LABEL_KIND[_name] = _kind
        _LABEL_PATTERNS.append(f"(?P<{_name}>{_word})")
del _kind, _words, _index, _word, _name
# "tờ khai số: 105…", "plate no. 51C…": the number word belongs to the label.
_LABEL = re.compile(
    r"(?<!\w)(?:" + "|".join(_LABEL_PATTERNS) + r")(?![^\W\d])\s*(?:[:#=.\-]\s*)?"
    r"(?:(?:so|no|number)(?![^\W\d])\.?\s*(?:[:#=]\s*)?)?",
    re.IGNORECASE,
)

_DISPLAY_PREFIX = {
    ReferenceKind.DECLARATION: "TK",
    ReferenceKind.CONTAINER: "Cont",
    ReferenceKind.PLATE: "BKS",
    ReferenceKind.TAX_CODE: "MST",
}


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", text).upper()


def container_check_digit(owner_serial: str) -> int:
    """Return the ISO 6346 check digit for 4 letters and 6 digits, e.g. 'CSQU305438' gives 3."""
    code = _compact(owner_serial)
    if _OWNER_SERIAL.fullmatch(code) is None:
        raise ValueError(f"not an owner code and serial number: {owner_serial!r}")
    total = sum(
        (_LETTER_VALUES[char] if char.isalpha() else int(char)) << position
        for position, char in enumerate(code)
    )
    return total % 11 % 10


def normalise_container(number: str) -> str | None:
    """Return a container number as 'TGHU8593743' if it has the ISO 6346 shape (digit unchecked)."""
    code = _compact(number)
    return code if _CONTAINER_SHAPE.fullmatch(code) else None


def is_valid_container(number: str) -> bool:
    """True for an ISO 6346 container number with a correct check digit, separators allowed."""
    code = normalise_container(number)
    return code is not None and container_check_digit(code[:10]) == int(code[10])


def normalise_tax_code(code: str) -> str | None:
    """Return a tax code as '0312345678' or '0312345678-001', or None if it is not one."""
    match = _TAX_CODE.fullmatch(code.strip())
    if match is None:
        return None
    return match.group(0)


def is_valid_tax_code(code: str) -> bool:
    """True for a Vietnamese tax code: 10 digits, or 10 digits, a dash and 3 for a branch."""
    return normalise_tax_code(code) is not None


def is_valid_declaration(number: str) -> bool:
    """True for a VNACCS customs declaration number: 12 digits."""
    return _DECLARATION.fullmatch(number.strip()) is not None


def normalise_plate(plate: str) -> str | None:
    """Return a vehicle plate as '51C-123.45' or '29A-1234', or None if it is not one."""
    match = _PLATE.fullmatch(_fold(plate.strip()))
    return None if match is None else _plate_display(match)


def is_valid_plate(plate: str) -> bool:
    """True for a Vietnamese vehicle plate in any of its usual typed forms."""
    return normalise_plate(plate) is not None


def _plate_display(match: re.Match[str]) -> str | None:
    province = match.group("province")
    if int(province) < 11:
        return None
    series = match.group("series").upper() + (match.group("series_digit") or "")
    number = match.group("number").replace(".", "")
    if len(number) == 5:
        number = f"{number[:3]}.{number[3:]}"
    return f"{province}{series}-{number}"


def _fold(text: str) -> str:
    """Drop Vietnamese diacritics character by character, so offsets stay those of the text."""
    folded = []
    for char in text:
        if char in "đĐ":
            folded.append("d" if char == "đ" else "D")
            continue
        base = unicodedata.normalize("NFD", char)[0]
        folded.append(base if not unicodedata.combining(base) else char)
    return "".join(folded)


@dataclass(frozen=True)
class _Found:
    start: int
    kind: ReferenceKind
    value: str


class _Scan:
    """One pass over a text: what was found, what was wrong, and which spans are taken."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.plain = _fold(text)
        self.found: list[_Found] = []
        self.problems: list[tuple[int, ReferenceProblem]] = []
        self._taken: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return all(
            end <= taken_start or start >= taken_end for taken_start, taken_end in self._taken
        )

    def take(self, start: int, end: int) -> None:
        self._taken.append((start, end))

    def add(self, start: int, kind: ReferenceKind, value: str) -> None:
        self.found.append(_Found(start, kind, value))

    def problem(
        self,
        start: int,
        end: int,
        kind: ReferenceKind,
        code: ProblemCode,
        expected_digit: int | None = None,
    ) -> None:
        problem = ReferenceProblem(kind, self.text[start:end], code, expected_digit)
        self.problems.append((start, problem))

    def container(self, match: re.Match[str], *, labelled: bool) -> None:
        """Accept, or report, a container-shaped match."""
        start, end = match.span()
        owner = match.group("owner").upper()
        if owner[3] not in _CONTAINER_CATEGORIES:
            if labelled:
                self.problem(start, end, ReferenceKind.CONTAINER, ProblemCode.BAD_FORMAT)
                self.take(start, end)
            return
        spaced = " " in (match.group("sep1") + match.group("sep2"))
        # Unlabelled, lower-case letters split from the digits by spaces read as ordinary words.
        if not labelled and spaced and not match.group("owner").isupper():
            return
        self.take(start, end)
        serial = match.group("serial")
        expected = container_check_digit(owner + serial)
        if expected == int(match.group("check")):
            self.add(start, ReferenceKind.CONTAINER, f"{owner}{serial}{expected}")
        else:
            self.problem(start, end, ReferenceKind.CONTAINER, ProblemCode.BAD_CHECK_DIGIT, expected)

    def plate(self, match: re.Match[str], *, labelled: bool) -> None:
        """Accept, or report, a plate-shaped match."""
        start, end = match.span()
        if not labelled and match.group("sep") == " " and not match.group("series").isupper():
            return
        display = _plate_display(match)
        if display is None:
            if labelled:
                self.problem(start, end, ReferenceKind.PLATE, ProblemCode.BAD_FORMAT)
                self.take(start, end)
            return
        self.take(start, end)
        self.add(start, ReferenceKind.PLATE, display)

    def labelled(self, label: re.Match[str]) -> None:
        """Read the token after a label as the label's kind, reporting it if it is not one."""
        name = label.lastgroup
        assert name is not None
        kind = _LABEL_KIND[name]
        position = label.end()
        if kind is None:
            phone = _PHONE_NUMBER.match(self.plain, position)
            if phone is not None:
                digits = sum(char.isdigit() for char in phone.group(0))
                end = phone.end() if digits <= 12 else position + len(phone.group(0).split()[0])
                self.take(label.start(), end)
            return
        if kind is ReferenceKind.CONTAINER:
            container = _CONTAINER_AFTER_LABEL.match(self.plain, position)
            if container is not None:
                self.take(label.start(), position)
                self.container(container, labelled=True)
                return
        elif kind is ReferenceKind.PLATE:
            plate = _PLATE_AFTER_LABEL.match(self.plain, position)
            if plate is not None:
                self.take(label.start(), position)
                self.plate(plate, labelled=True)
                return
        else:
            if self._labelled_number(kind, position):
                return
        token = _ANY_TOKEN.match(self.plain, position)
        if token is None:
            return
        end = position + len(token.group(0).rstrip(".:)"))
        # A label followed by a word ("tk ngân hàng") is not a reference at all.
        if not any(char.isdigit() for char in self.plain[position:end]):
            return
        self.take(label.start(), end)
        self.problem(position, end, kind, ProblemCode.BAD_FORMAT)

    def _labelled_number(self, kind: ReferenceKind, position: int) -> bool:
        for pattern in (_GROUPED_NUMBER, _PLAIN_NUMBER):
            match = pattern.match(self.plain, position)
            if match is None:
                continue
            value = _labelled_value(kind, match.group(0))
            if value is None and pattern is _GROUPED_NUMBER:
                continue
            self.take(position, match.end())
            if value is None:
                self.problem(position, match.end(), kind, ProblemCode.BAD_FORMAT)
            else:
                self.add(position, kind, value)
            return True
        return False


def _labelled_value(kind: ReferenceKind, typed: str) -> str | None:
    if kind is ReferenceKind.TAX_CODE:
        code = normalise_tax_code(typed)
        if code is not None:
            return code
        digits = _SEPARATORS.sub("", typed)
        # VNACCS writes a branch code as 13 digits without the dash.
        if len(digits) == 13 and digits.isdigit():
            return f"{digits[:10]}-{digits[10:]}"
        if len(digits) == 10 and digits.isdigit():
            return digits
        return None
    digits = _SEPARATORS.sub("", typed)
    return digits if is_valid_declaration(digits) else None


def extract_references(text: str) -> tuple[References, list[ReferenceProblem]]:
    """Find every declaration, container, plate and tax code in free text, and the bad ones."""
    scan = _Scan(unicodedata.normalize("NFC", text))
    for label in _LABEL.finditer(scan.plain):
        if scan.free(*label.span()):
            scan.labelled(label)
    for match in _CONTAINER.finditer(scan.plain):
        if scan.free(*match.span()):
            scan.container(match, labelled=False)
    for match in _PLATE.finditer(scan.plain):
        if scan.free(*match.span()):
            scan.plate(match, labelled=False)
    for match in _NUMBER.finditer(scan.plain):
        if not scan.free(*match.span()):
            continue
        number = match.group("number")
        if is_valid_declaration(number):
            scan.add(match.start(), ReferenceKind.DECLARATION, number)
        elif is_valid_tax_code(number):
            scan.add(match.start(), ReferenceKind.TAX_CODE, number)
    by_kind: dict[ReferenceKind, list[str]] = {kind: [] for kind in ReferenceKind}
    for found in sorted(scan.found, key=lambda item: item.start):
        if found.value not in by_kind[found.kind]:
            by_kind[found.kind].append(found.value)
    problems: list[ReferenceProblem] = []
    for _, problem in sorted(scan.problems, key=lambda item: item[0]):
        if problem not in problems:
            problems.append(problem)
    references = References(
        declarations=tuple(by_kind[ReferenceKind.DECLARATION]),
        containers=tuple(by_kind[ReferenceKind.CONTAINER]),
        plates=tuple(by_kind[ReferenceKind.PLATE]),
        tax_codes=tuple(by_kind[ReferenceKind.TAX_CODE]),
    )
    return references, problems


def format_references(refs: References) -> str:
    """One line such as 'TK 105123456789 · Cont TGHU8593743 · BKS 51C-123.45 · MST 0312345678'."""
    parts = [
        f"{_DISPLAY_PREFIX[kind]} {', '.join(values)}"
        for kind, values in (
            (ReferenceKind.DECLARATION, refs.declarations),
            (ReferenceKind.CONTAINER, refs.containers),
            (ReferenceKind.PLATE, refs.plates),
            (ReferenceKind.TAX_CODE, refs.tax_codes),
        )
        if values
    ]
    return " · ".join(parts)
