"""ONVIF cameras through onvif-zeep-async, one module per job (as Home Assistant's ONVIF does).

- `values`: what the rest of the desk says about a camera (its address, states, faults)
  without importing the library, which is loaded by the first camera watched.
- `device`: one camera's client: connection, device information, snapshots, PTZ.
- `errors`: what can go wrong, named the same whatever the library raised.
- `notifications`: PullMessages replies and Notify posts read into `RawEvent`s.
- `subscription`: an event subscription's kinds, reference and the record that outlives a run.
- `stream`: the event stream: its state enum, the subscription kept alive, the backoff.
- `health`: the health round's probe (reachable, credentials, snapshot).

Everything here logs under this package's name, ``bot.camera.onvif_device``.
"""
