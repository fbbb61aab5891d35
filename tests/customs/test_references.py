"""Customs references in free text: check digits, formats, normalisation and extraction."""

from __future__ import annotations

import pytest

from bot.customs.references import (
    ProblemCode,
    ReferenceKind,
    ReferenceProblem,
    References,
    container_check_digit,
    extract_references,
    format_references,
    is_valid_container,
    is_valid_declaration,
    is_valid_plate,
    is_valid_tax_code,
    normalise_container,
    normalise_plate,
    normalise_tax_code,
)

CONTAINER = ReferenceKind.CONTAINER
DECLARATION = ReferenceKind.DECLARATION
PLATE = ReferenceKind.PLATE
TAX_CODE = ReferenceKind.TAX_CODE
BAD_CHECK_DIGIT = ProblemCode.BAD_CHECK_DIGIT
BAD_FORMAT = ProblemCode.BAD_FORMAT


@pytest.mark.parametrize(
    ("owner_serial", "digit"),
    [
        ("CSQU305438", 3),  # the ISO 6346 worked example
        ("MSKU907032", 3),
        ("TGHU859374", 3),
        ("TCLU123456", 8),
        ("TGHU100005", 0),  # sum mod 11 is 10, which becomes 0
        ("MAEU123456", 7),
        ("APZZ765432", 5),
        ("csqu 305438", 3),
        ("CSQU-305438", 3),
    ],
)
def test_check_digit(owner_serial: str, digit: int) -> None:
    assert container_check_digit(owner_serial) == digit


@pytest.mark.parametrize("text", ["CSQ305438", "CSQU30543", "CSQU3054383", "1234567890", ""])
def test_check_digit_needs_four_letters_and_six_digits(text: str) -> None:
    with pytest.raises(ValueError):
        container_check_digit(text)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("CSQU3054383", True),
        ("MSKU9070323", True),
        ("TGHU8593743", True),
        ("TGHU1000050", True),
        ("MAEU1234567", True),
        ("CAIJ0000010", True),  # J: detachable equipment
        ("APZZ7654325", True),  # Z: trailer or chassis
        ("tghu 859374-3", True),
        ("TGHU-859374-3", True),
        ("TGHU8593740", False),  # wrong check digit: 3 is expected
        ("CSQU3054384", False),
        ("CSQA3054383", False),  # category must be U, J or Z
        ("CSQU305438", False),
        ("CSQU30543833", False),
        ("", False),
    ],
)
def test_is_valid_container(number: str, valid: bool) -> None:
    assert is_valid_container(number) is valid


@pytest.mark.parametrize(
    ("number", "normalised"),
    [
        ("tghu 859374-3", "TGHU8593743"),
        ("tghu 859374-0", "TGHU8593740"),  # the shape only; the digit is checked elsewhere
        (" CSQU 3054383 ", "CSQU3054383"),
        ("ABCD1234567", None),
        ("TGHU85937", None),
    ],
)
def test_normalise_container(number: str, normalised: str | None) -> None:
    assert normalise_container(number) == normalised


@pytest.mark.parametrize(
    ("code", "normalised"),
    [
        ("0312345678", "0312345678"),
        ("0312345678-001", "0312345678-001"),
        (" 0100109106 ", "0100109106"),
        ("031234567", None),
        ("03123456789", None),
        ("0312345678-01", None),
        ("0312345678-0012", None),
        ("03123456a8", None),
    ],
)
def test_tax_codes(code: str, normalised: str | None) -> None:
    assert normalise_tax_code(code) == normalised
    assert is_valid_tax_code(code) is (normalised is not None)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("105123456789", True),
        ("10512345678", False),
        ("1051234567890", False),
        ("10512345678a", False),
        ("105-123-456-789", False),
    ],
)
def test_declarations(number: str, valid: bool) -> None:
    assert is_valid_declaration(number) is valid


@pytest.mark.parametrize(
    ("plate", "normalised"),
    [
        ("51C-123.45", "51C-123.45"),
        ("51C12345", "51C-123.45"),
        ("51c 123.45", "51C-123.45"),
        ("51C-12345", "51C-123.45"),
        ("29A-1234", "29A-1234"),
        ("29A1234", "29A-1234"),
        ("51LD-012.34", "51LD-012.34"),
        ("51ld01234", "51LD-012.34"),
        ("30E-123.45", "30E-123.45"),
        ("29-A1 123.45", "29A1-123.45"),
        ("99A-999.99", "99A-999.99"),
        ("05A-123.45", None),  # province codes start at 11
        ("51C-123", None),
        ("51C-123456", None),
        ("51-12345", None),
        ("51ABC-12345", None),
        ("51C-12.345", None),
    ],
)
def test_plates(plate: str, normalised: str | None) -> None:
    assert normalise_plate(plate) == normalised
    assert is_valid_plate(plate) is (normalised is not None)


def problem(
    kind: ReferenceKind, text: str, code: ProblemCode, expected: int | None = None
) -> ReferenceProblem:
    return ReferenceProblem(kind=kind, text=text, code=code, expected_digit=expected)


EXTRACTION_CASES: list[tuple[str, References, list[ReferenceProblem]]] = [
    (
        "Xe 51C-123.45 chở cont TGHU8593743, tk 105123456789, MST 0312345678-001",
        References(
            declarations=("105123456789",),
            containers=("TGHU8593743",),
            plates=("51C-123.45",),
            tax_codes=("0312345678-001",),
        ),
        [],
    ),
    (
        # The brief's example container fails its check digit: 3 is expected, not 0.
        "Xe 51C-123.45 chở cont TGHU8593740, tk 105123456789, MST 0312345678-001",
        References(
            declarations=("105123456789",),
            plates=("51C-123.45",),
            tax_codes=("0312345678-001",),
        ),
        [problem(CONTAINER, "TGHU8593740", BAD_CHECK_DIGIT, 3)],
    ),
    ("TGHU8593741", References(), [problem(CONTAINER, "TGHU8593741", BAD_CHECK_DIGIT, 3)]),
    ("CSQU3054380 lệch", References(), [problem(CONTAINER, "CSQU3054380", BAD_CHECK_DIGIT, 3)]),
    (
        "cont: tghu 859374-1",
        References(),
        [problem(CONTAINER, "tghu 859374-1", BAD_CHECK_DIGIT, 3)],
    ),
    ("cont tghu 859374-3", References(containers=("TGHU8593743",)), []),
    ("container no. CSQU3054383", References(containers=("CSQU3054383",)), []),
    ("csqu3054383", References(containers=("CSQU3054383",)), []),
    # Unlabelled, lower-case letters spaced from digits are ordinary words.
    ("nhau 305438 3", References(), []),
    ("cont ABCD1234567", References(), [problem(CONTAINER, "ABCD1234567", BAD_FORMAT)]),
    ("ABCD1234567", References(), []),
    ("cont CSQA3054383", References(), [problem(CONTAINER, "CSQA3054383", BAD_FORMAT)]),
    (
        "MAEU1234567, CAIJ0000010\nAPZZ7654325",
        References(containers=("MAEU1234567", "CAIJ0000010", "APZZ7654325")),
        [],
    ),
    ("cont 1234", References(), [problem(CONTAINER, "1234", BAD_FORMAT)]),
    ("tk 1234567890", References(), [problem(DECLARATION, "1234567890", BAD_FORMAT)]),
    ("tờ khai số 1234567890", References(), [problem(DECLARATION, "1234567890", BAD_FORMAT)]),
    ("to khai: 10512345678", References(), [problem(DECLARATION, "10512345678", BAD_FORMAT)]),
    (
        "declaration 1051234567890",
        References(),
        [problem(DECLARATION, "1051234567890", BAD_FORMAT)],
    ),
    ("tk 105 123 456 789", References(declarations=("105123456789",)), []),
    ("TK-105123456789", References(declarations=("105123456789",)), []),
    ("MST 03123456789", References(), [problem(TAX_CODE, "03123456789", BAD_FORMAT)]),
    ("mã số thuế 105123456789", References(), [problem(TAX_CODE, "105123456789", BAD_FORMAT)]),
    ("ma so thue 0312345678001", References(tax_codes=("0312345678-001",)), []),
    ("Mã số thuế: 0312345678-01", References(), [problem(TAX_CODE, "0312345678-01", BAD_FORMAT)]),
    ("tax code 0312345678", References(tax_codes=("0312345678",)), []),
    # Unlabelled, 11 and 13 digits are just numbers.
    ("10512345678 1051234567890", References(), []),
    ("0312345678", References(tax_codes=("0312345678",)), []),
    ("0312345678-001", References(tax_codes=("0312345678-001",)), []),
    ("105123456789", References(declarations=("105123456789",)), []),
    ("SĐT 0987654321, MST 0312345678", References(tax_codes=("0312345678",)), []),
    ("điện thoại: 0987 654 321", References(), []),
    ("bks 51C-123", References(), [problem(PLATE, "51C-123", BAD_FORMAT)]),
    ("biển số 05A-12345", References(), [problem(PLATE, "05A-12345", BAD_FORMAT)]),
    ("bien so xe 51c 12345", References(plates=("51C-123.45",)), []),
    ("51c 12345", References(), []),
    ("51c-123.45", References(plates=("51C-123.45",)), []),
    (
        "plate 29A1234; 51LD01234\n30E 12345",
        References(plates=("29A-1234", "51LD-012.34", "30E-123.45")),
        [],
    ),
    ("tk ngân hàng", References(), []),
    ("lúc 15h30 ngày 25/11/2026, đội 2", References(), []),
    (
        "tk 105123456789, 105123456790;\nCSQU3054383 và csqu 305438-3, TK 105123456789",
        References(
            declarations=("105123456789", "105123456790"),
            containers=("CSQU3054383",),
        ),
        [],
    ),
    (
        "Declaration: 105123456789; tax code: 0312345678; container CSQU3054383; plate 51C12345",
        References(
            declarations=("105123456789",),
            containers=("CSQU3054383",),
            plates=("51C-123.45",),
            tax_codes=("0312345678",),
        ),
        [],
    ),
    (
        "cont TGHU8593740 CSQU3054389",
        References(),
        [
            problem(CONTAINER, "TGHU8593740", BAD_CHECK_DIGIT, 3),
            problem(CONTAINER, "CSQU3054389", BAD_CHECK_DIGIT, 3),
        ],
    ),
]


@pytest.mark.parametrize(("text", "references", "problems"), EXTRACTION_CASES)
def test_extract_references(
    text: str, references: References, problems: list[ReferenceProblem]
) -> None:
    assert extract_references(text) == (references, problems)


def test_extract_from_empty_text() -> None:
    references, problems = extract_references("")
    assert references.is_empty
    assert problems == []


def test_is_empty_is_false_once_anything_is_found() -> None:
    assert not References(plates=("51C-123.45",)).is_empty


@pytest.mark.parametrize(
    ("references", "line"),
    [
        (
            References(
                declarations=("105123456789",),
                containers=("TGHU8593743",),
                plates=("51C-123.45",),
                tax_codes=("0312345678",),
            ),
            "TK 105123456789 · Cont TGHU8593743 · BKS 51C-123.45 · MST 0312345678",
        ),
        (
            References(containers=("CSQU3054383", "TGHU8593743"), tax_codes=("0312345678-001",)),
            "Cont CSQU3054383, TGHU8593743 · MST 0312345678-001",
        ),
        (References(), ""),
    ],
)
def test_format_references(references: References, line: str) -> None:
    assert format_references(references) == line
