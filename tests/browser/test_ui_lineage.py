"""Real-browser check of the Dagster UI: the global asset lineage shows every asset of the pipeline.

Builds the sample corpus into a temporary warehouse with the CLI, starts `dagster-webserver` on
workspace.yaml, and drives Debian's /usr/bin/chromium through playwright (no `playwright install`:
.ci/install_browser.sh installs chromium). Saves tests/browser/artifacts/lineage.png (git-ignored)
and, with NEWS_UPDATE_SCREENSHOT=1, docs/lineage.png for the README.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from news_assets.dagster_home import ensure_dagster_home

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ASSETS = ["raw_documents", "articles", "article_duplicates", "entity_mentions", "undated_entity_mentions",
          "entities", "mention_counts_daily", "entity_cooccurrence", "entity_charts", "ner_model"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# Wide enough that the fitted graph draws full asset nodes; zoomed further out the UI shortens
# long names in the middle ("enti…_cooccurrence"). 2000x1200 became too small when ner_model
# started to depend on articles (one more column in the graph).
VIEWPORT = {"width": 2600, "height": 1400}

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is absent: install it with .ci/install_browser.sh (apt package chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed (see .ci/install_browser.sh)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _default_signals() -> None:
    # A process started from a non-interactive shell inherits SIGINT=ignore, and dagster-webserver
    # then ignores SIGTERM too: give the server the default dispositions back.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's whole process group (webserver and its code server), SIGKILL after 20 s."""
    pgid = proc.pid  # start_new_session: the server leads its own group
    if _group_alive(pgid):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (proc.poll() is None or _group_alive(pgid)):
        time.sleep(0.2)
    if _group_alive(pgid):
        os.killpg(pgid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("ui")
    home = root / "dagster_home"
    ensure_dagster_home(home)
    env = dict(os.environ, DAGSTER_HOME=str(home), NEWS_DUCKDB_PATH=str(root / "warehouse" / "news.duckdb"),
               NEWS_CORPUS_DIR=str(REPO / "news_assets" / "sample_corpus" / "articles"))
    build = subprocess.run([sys.executable, "-c", "import sys; from news_assets.cli import main; sys.exit(main())", "build"],
                           cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, f"news-assets build failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"

    port = _free_port()
    log = (root / "webserver.log").open("wb")
    webserver_bin = Path(sys.executable).with_name("dagster-webserver")
    proc = subprocess.Popen(
        [str(webserver_bin), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=_default_signals,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    tail = (root / "webserver.log").read_text(errors="replace")[-3000:]
                    pytest.fail(f"dagster-webserver did not answer /server_info (exit {proc.poll()}):\n{tail}")
                time.sleep(0.25)
        yield url
    finally:
        _stop_group(proc)
        log.close()


def test_lineage_graph_shows_every_asset(webserver: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(f"{webserver}/asset-groups")  # "Lineage" in the UI's navigation: the global asset graph
            page.get_by_text("Global asset lineage").first.wait_for(timeout=60_000)
            skip = page.get_by_role("button", name="Skip")  # the "Join the Dagster community" popup
            try:
                skip.wait_for(timeout=5_000)
                skip.click()
            except sync_api.TimeoutError:
                pass
            # With several groups the graph starts collapsed to one box per group; ⌥E expands all.
            page.get_by_text("ingest", exact=True).first.wait_for(timeout=30_000)
            page.keyboard.press("Alt+e")
            try:
                page.get_by_text("raw_documents", exact=True).first.wait_for(timeout=10_000)
            except sync_api.TimeoutError:  # they were expanded already, and ⌥E collapsed them
                page.keyboard.press("Alt+e")
            for name in ASSETS:
                sync_api.expect(page.get_by_text(name, exact=True).first).to_be_visible(timeout=30_000)
            page.wait_for_timeout(1_000)  # edges and status badges finish drawing
            missing = [n for n in ASSETS if not page.get_by_text(n, exact=True).first.is_visible()]
            assert not missing, f"not visible on the lineage page: {missing}"

            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / "lineage.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 20_000
            if os.environ.get("NEWS_UPDATE_SCREENSHOT") == "1":
                (REPO / "docs").mkdir(exist_ok=True)
                shutil.copyfile(shot, REPO / "docs" / "lineage.png")
        finally:
            browser.close()
