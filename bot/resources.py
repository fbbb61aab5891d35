"""Where the files the bot reads at run time live: shipped in the package, or in the checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def shipped(folder: str) -> Path:
    """The migrations ("alembic") or the catalogs ("locales").

    An installed copy (`pip install .`, the container image) carries them in bot/_shipped/
    (setup.py copies them in); a checkout or an editable install reads them where they are
    kept. The copy is looked for first: beside an installed package, site-packages/alembic is
    the Alembic library itself.
    """
    copy = PACKAGE / "_shipped" / folder
    return copy if copy.is_dir() else PACKAGE.parent / folder
