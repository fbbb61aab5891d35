"""Approval rule, reply deadlines, reminders and working days: plain code, no Telegram."""
