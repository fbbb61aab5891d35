"""SOAP 1.2 plumbing for the simulated camera: namespaces, envelopes, faults, WS-Security.

Responses are built from pre-joined string templates rather than an XML tree: a benchmark runs
200 cameras in one process, and string formatting keeps each answer to a few microseconds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

# Prefixes real cameras use; every response declares all of them on the envelope so that
# templates (including notification messages rendered once and shared) can use any prefix.
NAMESPACES: dict[str, str] = {
    "env": "http://www.w3.org/2003/05/soap-envelope",
    "xs": "http://www.w3.org/2001/XMLSchema",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "wsnt": "http://docs.oasis-open.org/wsn/b-2",
    "wstop": "http://docs.oasis-open.org/wsn/t-1",
    "wsntw": "http://docs.oasis-open.org/wsn/bw-2",
    "wsrf-rw": "http://docs.oasis-open.org/wsrf/rw-2",
    "tt": "http://www.onvif.org/ver10/schema",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tev": "http://www.onvif.org/ver10/events/wsdl",
    "tptz": "http://www.onvif.org/ver20/ptz/wsdl",
    "timg": "http://www.onvif.org/ver20/imaging/wsdl",
    "ter": "http://www.onvif.org/ver10/error",
    "tns1": "http://www.onvif.org/ver10/topics",
}
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
SOAP_ENV = NAMESPACES["env"]
WSA = NAMESPACES["wsa"]
CONTENT_TYPE = "application/soap+xml; charset=utf-8"

_ENVELOPE_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope '
    + " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
    + ">"
)
_PASSWORD_TEXT = "#PasswordText"


def envelope(body: str, *, action: str | None = None) -> bytes:
    """Wrap a body (and an optional WS-Addressing action header) in a SOAP 1.2 envelope."""
    header = f"<wsa:Action>{escape(action)}</wsa:Action>" if action else ""
    return (
        f"{_ENVELOPE_OPEN}<env:Header>{header}</env:Header>"
        f"<env:Body>{body}</env:Body></env:Envelope>"
    ).encode()


def fault(code: str, subcodes: tuple[str, ...], reason: str) -> bytes:
    """A SOAP 1.2 fault, e.g. ``fault("env:Sender", ("ter:NotAuthorized",), "...")``."""
    nested = ""
    for subcode in reversed(subcodes):
        nested = f"<env:Subcode><env:Value>{subcode}</env:Value>{nested}</env:Subcode>"
    body = (
        f"<env:Fault><env:Code><env:Value>{code}</env:Value>{nested}</env:Code>"
        f'<env:Reason><env:Text xml:lang="en">{escape(reason)}</env:Text></env:Reason>'
        "</env:Fault>"
    )
    return envelope(body)


def xml_text(value: object) -> str:
    """Escape a value for element content."""
    return escape(str(value))


def xml_attr(value: object) -> str:
    """Quote and escape a value for an attribute (returns the value with its quotes)."""
    return quoteattr(str(value))


def format_time(moment: datetime) -> str:
    """xs:dateTime in UTC with a ``Z`` suffix, the form cameras send."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_time_ms(moment: datetime) -> str:
    """xs:dateTime with milliseconds, as cameras stamp event messages."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


_DURATION = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> timedelta | None:
    """Parse the xs:duration subset ONVIF clients send (``PT60S``, ``PT1M``, ``P1D``)."""
    match = _DURATION.match(text.strip())
    if match is None or text.strip() in {"P", "PT"}:
        return None
    parts = {key: float(value) for key, value in match.groupdict().items() if value}
    return timedelta(**parts)


def parse_termination(text: str | None, now: datetime, default: timedelta) -> datetime | None:
    """Resolve a WS-BaseNotification AbsoluteOrRelativeTime (duration or dateTime)."""
    if text is None or not text.strip():
        return now + default
    value = text.strip()
    if value.startswith("P"):
        duration = parse_duration(value)
        return None if duration is None else now + duration
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SoapRequest:
    """The parts of an incoming SOAP request the handlers need."""

    action: str
    element: ET.Element
    header: ET.Element | None


def parse_request(body: bytes) -> SoapRequest | None:
    """Parse a SOAP 1.1/1.2 envelope; ``None`` when it is not one."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    if not root.tag.endswith("}Envelope"):
        return None
    ns = root.tag[1 : root.tag.index("}")]
    soap_body = root.find(f"{{{ns}}}Body")
    if soap_body is None or len(soap_body) == 0:
        return None
    element = soap_body[0]
    return SoapRequest(local_name(element.tag), element, root.find(f"{{{ns}}}Header"))


def local_name(tag: str) -> str:
    """``{ns}Name`` -> ``Name``."""
    return tag.rsplit("}", 1)[-1]


def child_text(element: ET.Element, name: str) -> str | None:
    """Text of the first descendant whose local name is ``name`` (any namespace)."""
    for child in element.iter():
        if child is not element and local_name(child.tag) == name:
            return (child.text or "").strip()
    return None


def check_username_token(header: ET.Element | None, username: str, password: str) -> bool:
    """Verify a WS-Security UsernameToken (PasswordDigest, or PasswordText as cameras allow).

    Digest = Base64(SHA1(nonce + created + password)). Created is not checked against the
    camera clock: onvif-zeep-async only compensates clock skew when asked to, and a simulator
    that rejected skew would only make tests flaky.
    """
    if header is None:
        return False
    token = header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None:
        return False
    user = token.findtext(f"{{{WSSE}}}Username") or ""
    password_el = token.find(f"{{{WSSE}}}Password")
    if password_el is None or not hmac.compare_digest(user.encode(), username.encode()):
        return False
    supplied = (password_el.text or "").strip()
    if password_el.get("Type", "").endswith(_PASSWORD_TEXT):
        return hmac.compare_digest(supplied.encode(), password.encode())
    nonce_text = token.findtext(f"{{{WSSE}}}Nonce") or ""
    created = token.findtext(f"{{{WSU}}}Created") or ""
    try:
        nonce = base64.b64decode(nonce_text, validate=True)
    except ValueError:
        return False
    digest = hashlib.sha1(nonce + created.encode() + password.encode()).digest()
    expected = base64.b64encode(digest).decode()
    return hmac.compare_digest(supplied.encode(), expected.encode())
