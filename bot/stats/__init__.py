"""Statistics of the desk over a week, a month, a quarter or a range: figures and charts."""
