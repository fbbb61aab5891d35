"""The customs vocabulary every domain shares: references of cases and how people are named.

It sits below the domains (config, escalation, EPZ, documents, handover) and imports none of
them, so any of them may use it.
"""
