"""The duty logbook: conversation record, entries in Annex I columns, corrections."""
