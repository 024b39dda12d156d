"""Every console page answers, with no JavaScript: plain GETs and form POSTs as a browser sends them."""
from __future__ import annotations

import json

import httpx

from stepflow.services.buckets import Buckets
from tests.server.conftest import Server


def test_every_page_answers_and_forms_work_without_javascript(tmp_path):
    Buckets(tmp_path).create("photos")
    server = Server(tmp_path).start()
    try:
        with httpx.Client(base_url=server.url, follow_redirects=True, timeout=30) as browser:
            for path in ("/", "/state-machines", "/state-machines/new", "/buckets", "/buckets/photos", "/tables", "/faces"):
                answer = browser.get(path)
                assert answer.status_code == 200, (path, answer.text[:200])
                assert answer.text.startswith("<!DOCTYPE html>")
            assert browser.get("/static/console.css").status_code == 200
            assert browser.get("/state-machines/Nope").status_code == 404
            assert browser.get("/buckets/no-such-bucket").status_code == 404

            definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
            created = browser.post("/state-machines/new", files={"file": ("m.json", b"")},
                                   data={"name": "Plain", "type": "STANDARD", "definition": definition})
            assert created.url.path == "/state-machines/Plain"
            started = browser.post("/state-machines/Plain/start", data={"input": '{"x": 1}', "execution_name": "first"})
            assert started.url.path.endswith(":execution:Plain:first")
            assert "<svg" in started.text and 'id="timeline"' in started.text
            bad_input = browser.post("/state-machines/Plain/start", data={"input": "{not json"})
            assert "Invalid State Machine Execution Input" in bad_input.text

            uploaded = browser.post("/buckets/photos", data={"prefix": "u1"}, files={"file": ("a.txt", b"hello")})
            assert "Uploaded u1/a.txt" in uploaded.text
            served = browser.get("/buckets/photos/object/u1/a.txt")
            assert (served.content, served.headers["x-content-type-options"]) == (b"hello", "nosniff")
            escaping = browser.post("/buckets/photos", data={"prefix": ".."}, files={"file": ("x.txt", b"x")})
            assert escaping.status_code == 400 and not (tmp_path / "buckets" / "x.txt").exists()
    finally:
        server.stop()
