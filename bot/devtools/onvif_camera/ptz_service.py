"""The PTZ service: where the camera looks, its presets, and moves."""

from __future__ import annotations

from .faults import invalid_arg
from .media_service import PAN_TILT_SPACE, ZOOM_SPACE, profile_token
from .soap import SoapRequest, child_text, envelope, format_time, local_name, xml_attr, xml_text
from .state import CameraState, Context, Handler


class PtzService(CameraState):
    """GetStatus, GetPresets, GotoPreset and AbsoluteMove, on a position tests can set."""

    def _ptz_routes(self) -> dict[str, Handler]:
        return {
            "GetStatus": self._ptz_get_status,
            "GetPresets": self._ptz_get_presets,
            "GotoPreset": self._ptz_goto_preset,
            "AbsoluteMove": self._ptz_absolute_move,
        }

    def set_position(self, pan: float, tilt: float, zoom: float) -> None:
        self._position = (pan, tilt, zoom)

    @property
    def position(self) -> tuple[float, float, float]:
        return self._position

    @staticmethod
    def _vector(pan: float, tilt: float, zoom: float) -> str:
        return (
            f'<tt:PanTilt x="{pan:g}" y="{tilt:g}" space="{PAN_TILT_SPACE}"/>'
            f'<tt:Zoom x="{zoom:g}" space="{ZOOM_SPACE}"/>'
        )

    async def _ptz_get_status(self, soap: SoapRequest, ctx: Context) -> bytes:
        profile_token(soap)
        return envelope(
            "<tptz:GetStatusResponse><tptz:PTZStatus>"
            f"<tt:Position>{self._vector(*self._position)}</tt:Position>"
            "<tt:MoveStatus><tt:PanTilt>IDLE</tt:PanTilt><tt:Zoom>IDLE</tt:Zoom></tt:MoveStatus>"
            f"<tt:UtcTime>{format_time(self._clock())}</tt:UtcTime>"
            "</tptz:PTZStatus></tptz:GetStatusResponse>"
        )

    async def _ptz_get_presets(self, soap: SoapRequest, ctx: Context) -> bytes:
        profile_token(soap)
        presets = "".join(
            f"<tptz:Preset token={xml_attr(p.token)}><tt:Name>{xml_text(p.name)}</tt:Name>"
            f"<tt:PTZPosition>{self._vector(p.pan, p.tilt, p.zoom)}</tt:PTZPosition></tptz:Preset>"
            for p in self.presets
        )
        return envelope(f"<tptz:GetPresetsResponse>{presets}</tptz:GetPresetsResponse>")

    async def _ptz_goto_preset(self, soap: SoapRequest, ctx: Context) -> bytes:
        profile_token(soap)
        token = child_text(soap.element, "PresetToken")
        preset = next((p for p in self.presets if p.token == token), None)
        if preset is None:
            raise invalid_arg("Preset token does not exist", "ter:NoToken")
        self._position = (preset.pan, preset.tilt, preset.zoom)
        return envelope("<tptz:GotoPresetResponse/>")

    async def _ptz_absolute_move(self, soap: SoapRequest, ctx: Context) -> bytes:
        profile_token(soap)
        pan, tilt, zoom = self._position
        for element in soap.element.iter():
            name = local_name(element.tag)
            try:
                if name == "PanTilt":
                    pan = float(element.get("x", pan))
                    tilt = float(element.get("y", tilt))
                elif name == "Zoom":
                    zoom = float(element.get("x", zoom))
            except ValueError:
                raise invalid_arg("Invalid position") from None
        self._position = (pan, tilt, zoom)
        return envelope("<tptz:AbsoluteMoveResponse/>")
