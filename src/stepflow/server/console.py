"""The local console: what the workshop does in the AWS consoles, as server-rendered pages.

Every page is complete HTML from a Jinja2 template, and every action is a plain form POST that
redirects (so it all works without JavaScript); ``static/console.js`` only adds live refresh of a
running execution and a JSON check of the input editor. Nothing is fetched from the internet.
Actions go through the same ``stepflow.api`` client as the API, so an execution started here is
one that ``aws stepfunctions describe-execution`` shows.
"""
from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from stepflow.api.client import Client
from stepflow.api.errors import ClientError
from stepflow.asl.errors import StepflowError
from stepflow.render.graph import build_graph
from stepflow.render.overlay import build_overlay
from stepflow.render.layout_svg import graph_svg
from stepflow.render.report import data_flows, events_table, legend, report_css, report_script
from stepflow.render.timeline import timeline_bars, timeline_svg
from stepflow.server.definition_errors import place_errors
from stepflow.services.buckets import Buckets
from stepflow.services.faces import FaceCollections
from stepflow.services.tables import Tables

STATE_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:{}"
ROLE_ARN = "arn:aws:iam::123456789012:role/stepflow-console"
IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".gif")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

_templates = Environment(loader=PackageLoader("stepflow.server", "templates"), autoescape=select_autoescape())


def console_routes(client: Client, root: Path) -> list[Any]:
    """The console's routes over ``client`` and the data root's stack services."""
    pages = _Console(client, root)
    return [
        Route("/", lambda request: RedirectResponse("/state-machines", 303)),
        Route("/state-machines", pages.state_machines),
        Route("/state-machines/new", pages.new_state_machine, methods=["GET", "POST"]),
        Route("/state-machines/{name}", pages.state_machine),
        Route("/state-machines/{name}/start", pages.start, methods=["POST"]),
        Route("/executions/{arn:path}/stop", pages.stop, methods=["POST"]),
        Route("/executions/{arn:path}/redrive", pages.redrive, methods=["POST"]),
        Route("/executions/{arn:path}", pages.execution),
        Route("/buckets", pages.buckets),
        Route("/buckets/{bucket}", pages.bucket, methods=["GET", "POST"]),
        Route("/buckets/{bucket}/object/{key:path}", pages.object),
        Route("/tables", pages.tables),
        Route("/faces", pages.faces),
        Mount("/static", StaticFiles(packages=[("stepflow.server", "static")]), name="static"),
    ]


def _page(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    return HTMLResponse(_templates.get_template(template).render(**values), status_code=status)


class _Console:
    def __init__(self, client: Client, root: Path) -> None:
        self.client, self.root = client, root
        self.bucket_store, self.table_store, self.collections = Buckets(root), Tables(root), FaceCollections(root)

    async def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(lambda: getattr(self.client, operation)(**params))

    # --- state machines ---------------------------------------------------------------------------

    async def state_machines(self, request: Request) -> Response:
        machines = (await self._call("list_state_machines"))["stateMachines"]
        return _page("state_machines.html", machines=machines)

    async def new_state_machine(self, request: Request) -> Response:
        form = {"name": "", "type": "STANDARD", "definition": ""}
        if request.method == "GET":
            return _page("new_state_machine.html", form=form, errors={}, placed=[])
        data = await request.form()
        upload = data.get("file")
        form = {"name": str(data.get("name", "")).strip(), "type": str(data.get("type", "STANDARD")),
                "definition": str(data.get("definition", ""))}
        if upload is not None and hasattr(upload, "read"):
            content = await upload.read()
            if content:
                form["definition"] = content.decode("utf-8", errors="replace")
        errors: dict[str, str] = {}
        checked = await self._call("validate_state_machine_definition", definition=form["definition"] or "{}")
        placed = place_errors(form["definition"], checked["diagnostics"]) if checked["result"] == "FAIL" else []
        if not placed:
            try:
                created = await self._call(
                    "create_state_machine", name=form["name"], definition=form["definition"], roleArn=ROLE_ARN,
                    type=form["type"],
                )
                return RedirectResponse(f"/state-machines/{quote(created['stateMachineArn'].split(':')[6])}", 303)
            except ClientError as refused:
                field = "name" if refused.response["Error"]["Code"] in ("InvalidName", "StateMachineAlreadyExists") else "definition"
                errors[field] = refused.message
            except StepflowError as refused:  # botocore's ParamValidationError is not one: see below
                errors["definition"] = str(refused)
            except Exception as refused:  # a parameter boto3 would refuse (e.g. an empty name)
                errors["name"] = str(refused)
        return _page("new_state_machine.html", status=400, form=form, errors=errors, placed=placed)

    async def state_machine(self, request: Request) -> Response:
        arn = STATE_MACHINE_ARN.format(request.path_params["name"])
        try:
            machine = await self._call("describe_state_machine", stateMachineArn=arn)
        except ClientError as missing:
            return _page("message.html", status=404, title="Not found", message=missing.message)
        definition = json.loads(machine["definition"])
        executions = (await self._call("list_executions", stateMachineArn=arn))["executions"]
        graph = Markup(graph_svg(build_graph(self.client.compiled_definition(arn)), None))
        return _page(
            "state_machine.html", machine=machine, executions=executions, graph=graph,
            asl=json.dumps(definition, indent=2), input_text=request.query_params.get("input", "{}"),
            error=request.query_params.get("error"),
        )

    async def start(self, request: Request) -> Response:
        name = request.path_params["name"]
        data = await request.form()
        params = {"stateMachineArn": STATE_MACHINE_ARN.format(name), "input": str(data.get("input") or "{}")}
        if data.get("execution_name"):
            params["name"] = str(data["execution_name"])
        try:
            started = await self._call("start_execution", **params)
        except ClientError as refused:
            target = f"/state-machines/{quote(name)}?error={quote(refused.message)}&input={quote(params['input'])}"
            return RedirectResponse(target, 303)
        return RedirectResponse(f"/executions/{started['executionArn']}", 303)

    # --- executions -------------------------------------------------------------------------------

    async def execution(self, request: Request) -> Response:
        arn = request.path_params["arn"]
        try:
            described = await self._call("describe_execution", executionArn=arn)
        except ClientError as missing:
            return _page("message.html", status=404, title="Not found", message=missing.message)
        record = self.client.execution_record(arn)
        graph = build_graph(record.definition)
        overlay = build_overlay(graph, record.history)
        return _page(
            "execution.html", execution=described, running=described["status"] == "RUNNING",
            graph=Markup(graph_svg(graph, overlay)), legend=Markup(legend()),
            timeline=Markup(timeline_svg(timeline_bars(record.history, record.steps))),
            data_flow=Markup(data_flows(graph, overlay, record.steps)) if record.steps else None,
            events=Markup(events_table(record.history)), report_css=Markup(report_css()),
            report_script=Markup(report_script()), machine_name=described["stateMachineArn"].split(":")[6],
        )

    async def stop(self, request: Request) -> Response:
        arn = request.path_params["arn"]
        try:
            await self._call("stop_execution", executionArn=arn, error="Console", cause="stopped in the stepflow console")
        except ClientError:
            pass  # already ended: the page shows how
        return RedirectResponse(f"/executions/{arn}", 303)

    async def redrive(self, request: Request) -> Response:
        arn = request.path_params["arn"]
        try:
            await self._call("redrive_execution", executionArn=arn)
        except ClientError as refused:
            return _page("message.html", status=400, title="Not redriven", message=refused.message)
        return RedirectResponse(f"/executions/{arn}", 303)

    # --- the stack --------------------------------------------------------------------------------

    async def buckets(self, request: Request) -> Response:
        names = await anyio.to_thread.run_sync(self.bucket_store.names)
        return _page("buckets.html", buckets=names)

    async def bucket(self, request: Request) -> Response:
        bucket = request.path_params["bucket"]
        message = None
        if request.method == "POST":
            data = await request.form(max_part_size=MAX_UPLOAD_BYTES)
            upload = data.get("file")
            prefix = str(data.get("prefix", "")).strip().strip("/")
            if upload is None or not hasattr(upload, "read") or not upload.filename:
                message = "Choose a file to upload."
            else:
                key = f"{prefix}/{Path(upload.filename).name}" if prefix else Path(upload.filename).name
                content = await upload.read()
                try:
                    await anyio.to_thread.run_sync(self.bucket_store.put, bucket, key, content)
                except StepflowError as refused:
                    message = str(refused)
                else:
                    return RedirectResponse(f"/buckets/{quote(bucket)}?uploaded={quote(key)}", 303)
        try:
            keys = await anyio.to_thread.run_sync(self.bucket_store.keys, bucket)
        except StepflowError as missing:
            return _page("message.html", status=404, title="Not found", message=str(missing))
        objects = [{"key": k, "image": k.lower().endswith(IMAGE_TYPES)} for k in keys]
        return _page("bucket.html", status=400 if message else 200, bucket=bucket, objects=objects,
                     message=message, uploaded=request.query_params.get("uploaded"))

    async def object(self, request: Request) -> Response:
        bucket, key = request.path_params["bucket"], request.path_params["key"]
        try:
            data = await anyio.to_thread.run_sync(self.bucket_store.get, bucket, key)
        except StepflowError as missing:
            return Response(str(missing), status_code=404, media_type="text/plain")
        kind = mimetypes.guess_type(key)[0] or "application/octet-stream"
        # An object is shown, never run: no sniffing, no script even if someone uploads HTML.
        headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; img-src 'self'"}
        return Response(data, media_type=kind, headers=headers)

    async def tables(self, request: Request) -> Response:
        def scan() -> list[tuple[str, list[dict[str, Any]]]]:
            return [(name, self.table_store.scan(name)) for name in self.table_store.names()]

        return _page("tables.html", tables=await anyio.to_thread.run_sync(scan))

    async def faces(self, request: Request) -> Response:
        def collect() -> list[tuple[str, list[dict[str, Any]]]]:
            photos = _photos_by_user(self.table_store)
            return [
                (cid, [face | {"photo": photos.get(face.get("ExternalImageId", ""))} for face in self.collections.list_faces(cid)])
                for cid in self.collections.list_collections()
            ]

        return _page("faces.html", collections=await anyio.to_thread.run_sync(collect))


def _photos_by_user(tables: Tables) -> dict[str, str]:
    """userId -> the console URL of the photo the workflow stored for them (PersistMetadata's item)."""
    photos = {}
    for name in tables.names():
        for item in tables.scan(name):
            user, bucket, key = item.get("Username"), item.get("s3bucket"), item.get("s3key")
            if isinstance(user, str) and isinstance(bucket, str) and isinstance(key, str):
                photos[user] = f"/buckets/{quote(bucket)}/object/{quote(key)}"
    return photos
