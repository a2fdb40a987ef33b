"""The Dockerfile, read instead of built (no Docker daemon here): it copies every package
the project installs and serves the microsite on the port it exposes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_image_copies_every_package_and_exposes_the_site() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = [
        p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]
    ]
    copied = set(re.findall(r"^COPY (\w+) \./\1$", dockerfile, re.MULTILINE))
    assert set(packages) <= copied, f"not copied into the image: {set(packages) - copied}"
    assert "WEB_HOST=0.0.0.0" in dockerfile  # a container's loopback is not reachable
    port = re.search(r"WEB_PORT=(\d+)", dockerfile)
    assert port is not None
    assert re.search(rf"^EXPOSE {port[1]}$", dockerfile, re.MULTILINE)
    assert re.search(r"^USER (?!root)\w+$", dockerfile, re.MULTILINE)  # never as root
    # The package data the site needs (templates, stylesheet) is installed with it.
    assert project["tool"]["setuptools"]["package-data"]["web"] == ["templates/*.j2", "static/*"]
