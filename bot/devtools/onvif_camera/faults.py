"""The SOAP faults the simulated camera answers with, as real cameras word them."""

from __future__ import annotations

from aiohttp import web

from .soap import CONTENT_TYPE, fault


class SoapFault(Exception):
    def __init__(self, status: int, code: str, subcodes: tuple[str, ...], reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.code = code
        self.subcodes = subcodes
        self.reason = reason

    def response(self) -> web.Response:
        body = fault(self.code, self.subcodes, self.reason)
        return web.Response(body=body, status=self.status, content_type="application/soap+xml")


def not_authorized() -> SoapFault:
    return SoapFault(400, "env:Sender", ("ter:NotAuthorized",), "Sender not Authorized")


def invalid_arg(reason: str, detail: str = "ter:InvalidArgVal") -> SoapFault:
    return SoapFault(400, "env:Sender", ("ter:InvalidArgVal", detail), reason)


def soap_response(body: bytes, status: int = 200) -> web.Response:
    """A SOAP 1.2 answer."""
    response = web.Response(body=body, status=status)
    response.headers["Content-Type"] = CONTENT_TYPE
    return response
