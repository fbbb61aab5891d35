"""Drills: scripted scenarios played against the sandbox on a clock that may run fast."""
