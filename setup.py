"""Ships the migrations and the message catalogs inside the package (bot/_shipped/).

They live at the top of the checkout, where Alembic and Babel's tools expect them; an installed
copy (`pip install .`, the container image) has no checkout, so the build copies them in.
Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# What the installed bot reads at run time, by folder: the migrations and the catalogs.
SHIPPED = {
    "alembic": ("env.py", "script.py.mako", "versions/*.py"),
    "locales": ("*/LC_MESSAGES/*.po",),
}


class BuildWithShippedFiles(build_py):
    """The ordinary build, plus the migrations and catalogs copied under bot/_shipped/."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout
        for folder, patterns in SHIPPED.items():
            for pattern in patterns:
                for source in sorted((ROOT / folder).glob(pattern)):
                    target = Path(self.build_lib) / "bot" / "_shipped" / source.relative_to(ROOT)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, target)


setup(cmdclass={"build_py": BuildWithShippedFiles})
