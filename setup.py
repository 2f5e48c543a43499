"""Build hook: ship the default model and configs inside the wheel as ``scanner/_data/``.

They live at the top of the repository (``models/``, ``configs/``) where the project keeps them;
``scanner.config.data_dir`` finds the shipped copy first and the checkout's folders otherwise, so
nothing is duplicated in git. Everything else about the package is in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# Only the shipped model: other folders under models/ (local experiments) stay out of the wheel.
SHIPPED = {"models/pii-minilm-l6": "models/pii-minilm-l6", "configs": "configs"}


class build_py_with_data(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the checkout itself
            return
        for src, dest in SHIPPED.items():
            target = Path(self.build_lib) / "scanner" / "_data" / dest
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(ROOT / src, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))


setup(cmdclass={"build_py": build_py_with_data})
