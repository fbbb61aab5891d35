"""EPZ enterprises: outage notices, working-day repair deadlines, gate logs, rotation."""
