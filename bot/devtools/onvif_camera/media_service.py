"""The media service: profiles, snapshot and stream URIs, and the snapshot itself (HTTP)."""

from __future__ import annotations

from aiohttp import web

from .faults import invalid_arg
from .soap import SoapRequest, child_text, envelope
from .state import SNAPSHOT_PATH, CameraState, Context, Handler

PAN_TILT_SPACE = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace"
ZOOM_SPACE = "http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace"


def profile_token(soap: SoapRequest) -> str:
    """The media profile a request names; a fault for one the camera does not have."""
    token = child_text(soap.element, "ProfileToken")
    if token not in {"profile_1", "profile_2"}:
        raise invalid_arg("Profile token does not exist", "ter:NoProfile")
    return token


class MediaService(CameraState):
    """GetProfiles, GetSnapshotUri, GetStreamUri, and the JPEG behind the snapshot URI."""

    def _media_routes(self) -> dict[str, Handler]:
        return {
            "GetProfiles": self._get_profiles,
            "GetSnapshotUri": self._get_snapshot_uri,
            "GetStreamUri": self._get_stream_uri,
        }

    def _profile(self, token: str, name: str, size: tuple[int, int], encoder: int) -> str:
        width, height = size
        full_w, full_h = self.image_size
        ptz = (
            '<tt:PTZConfiguration token="PTZConfig_1"><tt:Name>PTZ</tt:Name>'
            "<tt:UseCount>2</tt:UseCount><tt:NodeToken>PTZNode_1</tt:NodeToken>"
            f"<tt:DefaultAbsolutePantTiltPositionSpace>{PAN_TILT_SPACE}"
            "</tt:DefaultAbsolutePantTiltPositionSpace>"
            f"<tt:DefaultAbsoluteZoomPositionSpace>{ZOOM_SPACE}"
            "</tt:DefaultAbsoluteZoomPositionSpace></tt:PTZConfiguration>"
            if self.ptz
            else ""
        )
        return (
            f'<trt:Profiles token="{token}" fixed="true"><tt:Name>{name}</tt:Name>'
            '<tt:VideoSourceConfiguration token="VideoSourceConfig_1">'
            "<tt:Name>VideoSourceConfig</tt:Name><tt:UseCount>2</tt:UseCount>"
            "<tt:SourceToken>VideoSource_1</tt:SourceToken>"
            f'<tt:Bounds x="0" y="0" width="{full_w}" height="{full_h}"/>'
            "</tt:VideoSourceConfiguration>"
            f'<tt:VideoEncoderConfiguration token="VideoEncoder_{encoder}">'
            f"<tt:Name>VideoEncoder_{encoder}</tt:Name><tt:UseCount>1</tt:UseCount>"
            "<tt:Encoding>H264</tt:Encoding>"
            f"<tt:Resolution><tt:Width>{width}</tt:Width><tt:Height>{height}</tt:Height>"
            "</tt:Resolution><tt:Quality>5</tt:Quality>"
            "<tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit>"
            "<tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>2048</tt:BitrateLimit>"
            "</tt:RateControl><tt:H264><tt:GovLength>50</tt:GovLength>"
            "<tt:H264Profile>Main</tt:H264Profile></tt:H264>"
            "<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type>"
            "<tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address><tt:Port>0</tt:Port>"
            "<tt:TTL>1</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>"
            "<tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration>"
            f"{ptz}</trt:Profiles>"
        )

    async def _get_profiles(self, soap: SoapRequest, ctx: Context) -> bytes:
        width, height = self.image_size
        profiles = self._profile("profile_1", "MainStream", (width, height), 1) + self._profile(
            "profile_2", "SubStream", (width // 2, height // 2), 2
        )
        return envelope(f"<trt:GetProfilesResponse>{profiles}</trt:GetProfilesResponse>")

    async def _get_snapshot_uri(self, soap: SoapRequest, ctx: Context) -> bytes:
        token = profile_token(soap)
        return envelope(
            "<trt:GetSnapshotUriResponse><trt:MediaUri>"
            f"<tt:Uri>{ctx.base}{SNAPSHOT_PATH}?profile={token}</tt:Uri>"
            "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
            "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout>"
            "</trt:MediaUri></trt:GetSnapshotUriResponse>"
        )

    async def _get_stream_uri(self, soap: SoapRequest, ctx: Context) -> bytes:
        token = profile_token(soap)
        host = ctx.base.removeprefix("http://").rsplit(":", 1)[0]
        channel = "101" if token == "profile_1" else "102"
        return envelope(
            "<trt:GetStreamUriResponse><trt:MediaUri>"
            f"<tt:Uri>rtsp://{host}:554/Streaming/Channels/{channel}</tt:Uri>"
            "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
            "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT60S</tt:Timeout>"
            "</trt:MediaUri></trt:GetStreamUriResponse>"
        )

    def _snapshot(self, request: web.BaseRequest) -> web.Response:
        authorised, stale = self._digest.check(
            request.headers.get("Authorization"),
            request.method,
            request.raw_path,
            self.username,
            self.password,
        )
        if not authorised or self._mode == "bad_credentials":
            return web.Response(
                status=401,
                headers={"WWW-Authenticate": self._digest.challenge(stale=stale)},
                text="401 Unauthorized",
            )
        if request.query.get("profile") not in {"profile_1", "profile_2"}:
            return web.Response(status=404)
        self.requests["snapshot"] += 1
        return web.Response(body=self._frames.jpeg(), content_type="image/jpeg")
