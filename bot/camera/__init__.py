"""ONVIF client, event parsing, health round, snapshots and the alert intake API."""
