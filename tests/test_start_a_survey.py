"""docs/start-a-survey.md, followed word for word: every command of its ```sh blocks, in order.

Each line of a ```sh block is one command, run with bash in a throwaway folder; the folder a
command leaves (`cd`) is where the next one runs. The only departures from the guide:

- Commands that need the network or GitHub are not run; they are listed, matched exactly, in
  OFFLINE. In their place the test installs this checkout into a fresh virtual environment
  (`python3 -m venv --system-site-packages`, then `pip install --no-deps --no-build-isolation`),
  whose bin/ comes first on PATH: the guide's `surveysite` is the real console script, and the
  machine's own (editable) install is left alone. The checkout's package files are copied first,
  so that the build leaves nothing (build/, *.egg-info) in the working tree.
- `surveysite serve` runs in the background on a free port (the guide's default, 8000, may be
  taken); the test asks its status endpoint, follows / to the site's path, and stops it.
- `<user>`, the reader's GitHub user name, is replaced by USER.

Any other command that looks like it reaches the network fails the test, so an edit of the guide
that adds one must add it to OFFLINE too. After `surveysite build --site-url ...`, the output is
served under /efficient-attention/ as GitHub Pages would, and every link is followed.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.ghpages import serve_pages
from tests.test_subpath import crawl

GUIDE = ROOT / "docs" / "start-a-survey.md"
USER = "octocat"
SURVEY = "efficient-attention"

OFFLINE = {
    "git clone https://github.com/surveysite/surveysite": "the network; the test installs this checkout instead",
    "python3 -m pip install ./surveysite": "needs the clone above and the package index; replaced by the venv install",
    'pip install "surveysite @ git+https://github.com/surveysite/surveysite"': "the network; the same replacement",
    "git push -u origin main": "GitHub",
    "gh repo create efficient-attention --public --source . --push": "GitHub",
}
"""Commands of the guide that are not run, each exactly as the guide writes it (after <user>)."""

NETWORK = re.compile(r"^\s*(git\s+(clone|push|pull|fetch)|gh\s|(python3\s+-m\s+)?pip3?\s+install|curl\s|wget\s)")
"""Commands that would reach the network: each must be in OFFLINE."""


def sh_commands(markdown: str) -> list[str]:
    """Every line of every ```sh block, in order."""
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```$", markdown, re.MULTILINE | re.DOTALL):
        for line in block.splitlines():
            assert line.strip(), "a blank line in a ```sh block"
            assert not line.startswith(("$ ", "#")), f"a prompt or comment, not a command: {line!r}"
            assert not line.endswith("\\"), f"one command per line: {line!r}"
            commands.append(line.replace("<user>", USER))
    return commands


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    """One request, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _check_serve(cwd: Path, env: dict[str, str]) -> None:
    port = _free_port()
    server = subprocess.Popen(
        ["bash", "-c", f"exec surveysite serve --port {port}"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        status = None
        while status is None:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "surveysite serve did not answer"
            try:
                code, _, body = _get(port, "/__surveysite/status")
            except OSError:
                time.sleep(0.1)
                continue
            if code == 200:
                status = json.loads(body)
        # Previewed under the path of site_url (site.yaml's, here), as once deployed.
        assert status == {"builds": 1, "searches": 1, "ok": True, "base": f"/{SURVEY}/"}
        code, headers, _ = _get(port, "/")
        assert (code, headers.get("Location")) == (302, f"/{SURVEY}/")
        code, _, page = _get(port, f"/{SURVEY}/")
        assert code == 200 and b"Efficient Attention" in page
    finally:
        server.terminate()
        server.wait(timeout=10)


def _venv(tmp: Path) -> Path:
    """This checkout installed into a new virtual environment; returns its bin/ folder."""
    source = tmp / "engine"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "surveysite", source / "surveysite", ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-index", "--disable-pip-version-check"]
    result = subprocess.run(
        [*pip, "--no-deps", "--no-build-isolation", str(source)], capture_output=True, text=True, check=False
    )
    if "invalid command 'bdist_wheel'" in result.stderr:  # setuptools before 70.1 needs the wheel package
        message = "the 'wheel' package is missing: python3 -m pip install -e '.[test]' (bash .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert result.returncode == 0, result.stdout + result.stderr
    return venv / "bin"


def test_the_guide_works_as_written(tmp_path: Path) -> None:
    commands = sh_commands(GUIDE.read_text(encoding="utf-8"))
    assert sorted(set(OFFLINE) - set(commands)) == [], "OFFLINE lists commands the guide no longer has"
    unhandled = [c for c in commands if NETWORK.match(c) and c not in OFFLINE]
    assert unhandled == [], f"commands that need the network; add them to OFFLINE: {unhandled}"

    bin_folder = _venv(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SURVEYSITE_SITE_URL", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env.update(
        PATH=f"{bin_folder}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(bin_folder.parent),
        HOME=str(home),
        # git: no user configuration, a fixed author; and nothing of this machine's git settings.
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="A. Researcher",
        GIT_AUTHOR_EMAIL="researcher@example.org",
        GIT_COMMITTER_NAME="A. Researcher",
        GIT_COMMITTER_EMAIL="researcher@example.org",
        GIT_TERMINAL_PROMPT="0",
        # Should a command reach for the network after all, it fails instead of going out.
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        no_proxy="127.0.0.1,localhost",
        PIP_NO_INDEX="1",
    )
    engine = subprocess.run(
        ["bash", "-c", "command -v surveysite && python3 -c 'import surveysite; print(surveysite.__file__)'"],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert [Path(p).is_relative_to(bin_folder.parent) for p in engine] == [True, True], engine

    cwd = tmp_path / "work"
    cwd.mkdir()
    where = tmp_path / "pwd"
    ran, crawled = [], False
    for command in commands:
        if command in OFFLINE:
            continue
        if command == "surveysite serve":
            _check_serve(cwd, env)
            ran.append(command)
            continue
        script = f'{command}\nstatus=$?\npwd > "{where}"\nexit $status\n'
        result = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"
        cwd = Path(where.read_text().strip())
        ran.append(command)
        if command.startswith("surveysite build --site-url "):
            url = f"https://{USER}.github.io/{SURVEY}/"
            assert command == f"surveysite build --site-url {url}"
            out = cwd / "_site"
            index = (out / "index.html").read_text(encoding="utf-8")
            assert f'<link rel="canonical" href="{url}">' in index
            assert f'hreflang="de" href="{url}de/"' in index
            with serve_pages(out, f"/{SURVEY}/") as base:
                seen = crawl(base)
            assert sorted(u for u, status in seen.items() if status != 200) == []
            assert f"{base}papers/flash-attention/" in seen and f"{base}de/papers/flash-attention/" in seen
            crawled = True
    assert crawled, "the guide has no `surveysite build --site-url` to crawl"
    assert "surveysite serve" in ran

    # Where the guide leaves its reader: in the survey, with the paper it added and its overrides.
    assert cwd.name == SURVEY
    papers = sorted(p.name for p in (cwd / "content" / "papers").iterdir())
    assert papers == ["flash-attention.md"]
    tracked = subprocess.run(["git", "ls-files"], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    assert "content/site.yaml" in tracked.stdout.split() and "_site/" not in tracked.stdout
    assert (cwd / "_site" / "assets" / "site.css").read_bytes() == (cwd / "static" / "site.css").read_bytes()
    assert (cwd / "templates" / "paper.html").is_file()
