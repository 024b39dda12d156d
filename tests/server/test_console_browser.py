"""The console in a real headless Chromium (Playwright driving the system's Chromium): the workshop
from start to end, as a user clicks through it, with screenshots kept in test-artifacts/."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server.conftest import Server

pytestmark = [pytest.mark.browser, pytest.mark.faces]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BUCKET = "wildrydes-step-module-resources-riderphotos3bucket"


@pytest.fixture(scope="module")
def workshop(tmp_path_factory):
    from stepflow.settings import fixtures_dir

    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (the test extra)")
    if not (fixtures_dir() / "1_happy_face.jpg").is_file():
        pytest.skip(f"the workshop photos are not in {fixtures_dir()}")
    home = tmp_path_factory.mktemp("console")
    env = {**os.environ, "STEPFLOW_HOME": str(home)}
    # The stack with its upload trigger, but the state machine is created in the browser.
    subprocess.run([sys.executable, "-m", "stepflow", "stack", "up", "--upload-trigger", "--definition", "none"],
                   check=True, env=env, cwd=ROOT, capture_output=True)
    server = Server(home, "--stack", "riderphoto").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page(workshop):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


def test_the_workshop_in_the_browser(workshop, page):
    from stepflow.settings import fixtures_dir

    url = workshop.url
    # 1. Create the state machine: first a definition with a mistake, shown at its line.
    page.goto(url + "/")
    page.click("text=Create state machine")
    page.fill("input[name=name]", "rider-photo-processing-4")
    page.fill("textarea[name=definition]", json.dumps(
        {"StartAt": "Check", "States": {"Check": {"Type": "Pass", "Next": "Missing"}}}, indent=2))
    page.click("button:has-text('Create state machine')")
    problem = page.locator("#definition-errors li.has-problem", has_text="MISSING_TRANSITION_TARGET")
    assert '"Next": "Missing"' in problem.locator("code").inner_text()  # the very line it points at
    shot(page, "1-definition-error")

    # 2. The workshop's definition, from its file.
    page.fill("textarea[name=definition]", "")
    page.set_input_files("input[name=file]", str(ROOT / "definitions" / "rider-photo-processing-4.asl.json"))
    page.click("button:has-text('Create state machine')")
    page.wait_for_url("**/state-machines/rider-photo-processing-4")
    assert page.locator("#graph svg").count() == 1
    shot(page, "2-state-machine")

    # 3. Start an execution with the workshop's input and watch it end.
    page.fill("textarea[name=input]", json.dumps({"userId": "user_a", "s3Bucket": BUCKET, "s3Key": "1_happy_face.jpg"}))
    page.click("button:has-text('Start execution')")
    page.wait_for_url("**/executions/**")
    page.wait_for_selector("#status:has-text('SUCCEEDED')")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-execution-top.png"))  # the README's picture
    assert page.locator("#timeline svg rect").count() >= 7  # one bar per state visit at least
    persist = page.locator('#dataflow details.state[data-state="PersistMetadata"]')
    persist.locator("summary").click()
    assert persist.get_attribute("open") is not None
    assert "userId" in persist.inner_text()  # its input, stage by stage
    shot(page, "3-execution")

    # 4. Upload a photo under a user's folder: the upload trigger starts the workflow.
    page.click("nav >> text=Buckets")
    page.click(f"text={BUCKET}")
    page.fill("input[name=prefix]", "user_b")
    page.set_input_files("input[name=file]", str(fixtures_dir() / "3_multiple_faces.jpg"))
    page.click("button:has-text('Upload')")
    assert "Uploaded user_b/3_multiple_faces.jpg" in page.inner_text("main")
    assert page.locator("ul.objects img").count() >= 4  # thumbnails of the photos
    shot(page, "4-bucket")
    page.goto(url + "/state-machines/rider-photo-processing-4")
    for _ in range(100):
        if page.locator("#executions tbody tr").count() == 2 and "RUNNING" not in page.inner_text("#executions"):
            break
        page.wait_for_timeout(300)
        page.reload()
    assert page.locator("#executions .badge").all_inner_texts() == ["SUCCEEDED", "SUCCEEDED"]
    page.locator("#executions tbody tr a").first.click()  # the newest: the upload's
    assert '"userId": "user_b"' in page.inner_text("main") or '"userId":"user_b"' in page.inner_text("main")
    # The group photo takes the workshop's failure path: caught, then the notification.
    assert page.locator('#dataflow details.state[data-state="PhotoDoesNotMeetRequirement"].succeeded').count() == 1

    # 5. The table and the face collection the first execution filled.
    page.goto(url + "/tables")
    assert "user_a" in page.inner_text("main")
    page.goto(url + "/faces")
    assert page.locator("ul.faces img").count() == 1
    shot(page, "5-faces")


def test_a_page_from_another_site_cannot_start_executions(workshop, page):
    """A cross-site form post (what a malicious page can send) is refused."""
    response = page.request.post(
        workshop.url + "/state-machines/rider-photo-processing-4/start", form={"input": "{}"},
        headers={"Origin": "http://attacker.example"},
    )
    assert response.status == 403
