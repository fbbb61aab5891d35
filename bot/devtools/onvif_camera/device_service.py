"""The device service: who the camera is, what it offers, its clock and network."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from .soap import NAMESPACES, SoapRequest, envelope, xml_text
from .state import (
    DEVICE_PATH,
    EVENTS_PATH,
    MEDIA_PATH,
    PTZ_PATH,
    CameraState,
    Context,
    Handler,
)

_LOCAL_OFFSET = timedelta(hours=7)  # Vietnam (ICT), what an installer would set


class DeviceService(CameraState):
    """GetDeviceInformation, GetCapabilities, GetServices and the rest of tds."""

    def _device_routes(self) -> dict[str, Handler]:
        return {
            "GetDeviceInformation": self._get_device_information,
            "GetCapabilities": self._get_capabilities,
            "GetServices": self._get_services,
            "GetServiceCapabilities": self._get_device_service_capabilities,
            "GetSystemDateAndTime": self._get_system_date_and_time,
            "GetNetworkInterfaces": self._get_network_interfaces,
            "GetScopes": self._get_scopes,
            "GetHostname": self._get_hostname,
        }

    async def _get_device_information(self, soap: SoapRequest, ctx: Context) -> bytes:
        return envelope(
            "<tds:GetDeviceInformationResponse>"
            f"<tds:Manufacturer>{xml_text(self.manufacturer)}</tds:Manufacturer>"
            f"<tds:Model>{xml_text(self.model)}</tds:Model>"
            f"<tds:FirmwareVersion>{xml_text(self.firmware)}</tds:FirmwareVersion>"
            f"<tds:SerialNumber>{xml_text(self.serial)}</tds:SerialNumber>"
            f"<tds:HardwareId>{xml_text(self.model.replace(' ', '-'))}-HW</tds:HardwareId>"
            "</tds:GetDeviceInformationResponse>"
        )

    async def _get_capabilities(self, soap: SoapRequest, ctx: Context) -> bytes:
        ptz = f"<tt:PTZ><tt:XAddr>{ctx.base}{PTZ_PATH}</tt:XAddr></tt:PTZ>" if self.ptz else ""
        return envelope(
            "<tds:GetCapabilitiesResponse><tds:Capabilities>"
            f"<tt:Device><tt:XAddr>{ctx.base}{DEVICE_PATH}</tt:XAddr>"
            "<tt:Network><tt:IPFilter>false</tt:IPFilter><tt:ZeroConfiguration>false"
            "</tt:ZeroConfiguration><tt:IPVersion6>false</tt:IPVersion6><tt:DynDNS>false"
            "</tt:DynDNS></tt:Network>"
            "<tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve><tt:DiscoveryBye>true"
            "</tt:DiscoveryBye><tt:RemoteDiscovery>false</tt:RemoteDiscovery><tt:SystemBackup>"
            "false</tt:SystemBackup><tt:SystemLogging>false</tt:SystemLogging>"
            "<tt:FirmwareUpgrade>false</tt:FirmwareUpgrade><tt:SupportedVersions><tt:Major>2"
            "</tt:Major><tt:Minor>60</tt:Minor></tt:SupportedVersions></tt:System>"
            "<tt:Security><tt:TLS1.1>false</tt:TLS1.1><tt:TLS1.2>false</tt:TLS1.2>"
            "<tt:OnboardKeyGeneration>false</tt:OnboardKeyGeneration><tt:AccessPolicyConfig>"
            "false</tt:AccessPolicyConfig><tt:X.509Token>false</tt:X.509Token><tt:SAMLToken>"
            "false</tt:SAMLToken><tt:KerberosToken>false</tt:KerberosToken><tt:RELToken>false"
            "</tt:RELToken></tt:Security></tt:Device>"
            f"<tt:Events><tt:XAddr>{ctx.base}{EVENTS_PATH}</tt:XAddr>"
            "<tt:WSSubscriptionPolicySupport>true</tt:WSSubscriptionPolicySupport>"
            "<tt:WSPullPointSupport>true</tt:WSPullPointSupport>"
            "<tt:WSPausableSubscriptionManagerInterfaceSupport>false"
            "</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>"
            f"<tt:Media><tt:XAddr>{ctx.base}{MEDIA_PATH}</tt:XAddr><tt:StreamingCapabilities>"
            "<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>"
            "<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>"
            f"{ptz}</tds:Capabilities></tds:GetCapabilitiesResponse>"
        )

    async def _get_services(self, soap: SoapRequest, ctx: Context) -> bytes:
        services = [
            (NAMESPACES["tds"], DEVICE_PATH, 2, 60),
            (NAMESPACES["trt"], MEDIA_PATH, 2, 60),
            (NAMESPACES["tev"], EVENTS_PATH, 2, 60),
        ]
        if self.ptz:
            services.append((NAMESPACES["tptz"], PTZ_PATH, 2, 60))
        body = "".join(
            f"<tds:Service><tds:Namespace>{ns}</tds:Namespace>"
            f"<tds:XAddr>{ctx.base}{path}</tds:XAddr>"
            f"<tds:Version><tt:Major>{major}</tt:Major><tt:Minor>{minor}</tt:Minor></tds:Version>"
            "</tds:Service>"
            for ns, path, major, minor in services
        )
        return envelope(f"<tds:GetServicesResponse>{body}</tds:GetServicesResponse>")

    async def _get_device_service_capabilities(self, soap: SoapRequest, ctx: Context) -> bytes:
        return envelope(
            "<tds:GetServiceCapabilitiesResponse><tds:Capabilities>"
            '<tds:Network IPFilter="false" ZeroConfiguration="false" IPVersion6="false" '
            'DynDNS="false" NTP="1"/>'
            '<tds:Security UsernameToken="true" HttpDigest="true"/>'
            '<tds:System DiscoveryResolve="false" DiscoveryBye="true" RemoteDiscovery="false" '
            'SystemBackup="false" SystemLogging="false" FirmwareUpgrade="false"/>'
            "</tds:Capabilities></tds:GetServiceCapabilitiesResponse>"
        )

    async def _get_system_date_and_time(self, soap: SoapRequest, ctx: Context) -> bytes:
        utc = self._clock()
        local = utc + _LOCAL_OFFSET

        def stamp(moment: datetime) -> str:
            return (
                f"<tt:Time><tt:Hour>{moment.hour}</tt:Hour><tt:Minute>{moment.minute}</tt:Minute>"
                f"<tt:Second>{moment.second}</tt:Second></tt:Time>"
                f"<tt:Date><tt:Year>{moment.year}</tt:Year><tt:Month>{moment.month}</tt:Month>"
                f"<tt:Day>{moment.day}</tt:Day></tt:Date>"
            )

        return envelope(
            "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
            "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
            "<tt:TimeZone><tt:TZ>ICT-7</tt:TZ></tt:TimeZone>"
            f"<tt:UTCDateTime>{stamp(utc)}</tt:UTCDateTime>"
            f"<tt:LocalDateTime>{stamp(local)}</tt:LocalDateTime>"
            "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
        )

    async def _get_network_interfaces(self, soap: SoapRequest, ctx: Context) -> bytes:
        digest = hashlib.sha1(self.serial.encode()).hexdigest()
        mac = "02:" + ":".join(digest[i : i + 2] for i in range(0, 10, 2))
        host = ctx.base.removeprefix("http://").rsplit(":", 1)[0]
        return envelope(
            '<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token="eth0">'
            "<tt:Enabled>true</tt:Enabled><tt:Info><tt:Name>eth0</tt:Name>"
            f"<tt:HwAddress>{mac}</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info>"
            "<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config><tt:Manual>"
            f"<tt:Address>{xml_text(host)}</tt:Address><tt:PrefixLength>24</tt:PrefixLength>"
            "</tt:Manual><tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4>"
            "</tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>"
        )

    async def _get_scopes(self, soap: SoapRequest, ctx: Context) -> bytes:
        scopes = [
            ("Fixed", "onvif://www.onvif.org/Profile/Streaming"),
            ("Fixed", "onvif://www.onvif.org/Profile/T"),
            ("Fixed", "onvif://www.onvif.org/type/video_encoder"),
            ("Fixed", f"onvif://www.onvif.org/hardware/{self.model.replace(' ', '_')}"),
            ("Configurable", f"onvif://www.onvif.org/name/{self.name.replace(' ', '_')}"),
            ("Configurable", "onvif://www.onvif.org/location/country/vietnam"),
        ]
        body = "".join(
            f"<tds:Scopes><tt:ScopeDef>{kind}</tt:ScopeDef>"
            f"<tt:ScopeItem>{xml_text(item)}</tt:ScopeItem></tds:Scopes>"
            for kind, item in scopes
        )
        return envelope(f"<tds:GetScopesResponse>{body}</tds:GetScopesResponse>")

    async def _get_hostname(self, soap: SoapRequest, ctx: Context) -> bytes:
        hostname = xml_text(self.serial.lower())
        return envelope(
            "<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP>"
            f"<tt:Name>{hostname}</tt:Name></tds:HostnameInformation></tds:GetHostnameResponse>"
        )
