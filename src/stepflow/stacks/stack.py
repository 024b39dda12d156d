"""``Stack``: a template brought up in the data root, and its state machines bound to its functions.

``up`` resolves the template (parameters, conditions, intrinsics), creates the emulated resources
it declares and keeps a record of them (``stacks.sqlite3``); bringing the same stack up again
creates only what is missing. ``down`` removes exactly what ``up`` created.
"""
from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any, Callable

from stepflow.functions.runtimes import Worker, handler_for, problem_of
from stepflow.functions.spec import FunctionSpec
from stepflow.machine import StateMachine
from stepflow.services.buckets import Buckets
from stepflow.services.events import EventBus
from stepflow.services.tables import KeySchema, Tables
from stepflow.settings import data_root
from stepflow.stacks import messaging, providers, schedules, sources
from stepflow.stacks.errors import TemplateError
from stepflow.stacks.intrinsics import Evaluator, Scope
from stepflow.stacks.store import StackStore

REGION = "us-east-1"
ACCOUNT = "123456789012"
_RESOLVING = object()


class Stack:
    """One template's stack under a data root (``STEPFLOW_HOME`` unless ``root`` is given)."""

    def __init__(self, record: dict[str, Any], root: Path) -> None:
        self.record = record
        self.root = root
        self._workers: list[Worker] = []

    @property
    def name(self) -> str:
        return self.record["StackName"]

    @property
    def outputs(self) -> dict[str, Any]:
        return self.record["Outputs"]

    @property
    def resources(self) -> list[dict[str, Any]]:
        return self.record["Resources"]

    @classmethod
    def from_template(cls, path: str | os.PathLike[str], parameters: dict[str, str] | None = None, *,
                      name: str | None = None, root: str | os.PathLike[str] | None = None) -> Stack:
        """Bring the template's stack up (idempotently) and return it."""
        root_path = Path(root).resolve() if root is not None else data_root()
        template = Path(path)
        stack_name = name or sources.default_stack_name(sources.project_file(template))
        record = _Builder(template, stack_name, dict(parameters or {}), root_path).up()
        return cls(record, root_path)

    @classmethod
    def named(cls, name: str, root: str | os.PathLike[str] | None = None) -> Stack:
        root_path = Path(root).resolve() if root is not None else data_root()
        record = StackStore(root_path).get(name)
        if record is None:
            raise TemplateError(f"no stack named {name!r} is up in {root_path}")
        return cls(record, root_path)

    @staticmethod
    def list(root: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
        return StackStore(Path(root).resolve() if root is not None else data_root()).all()

    def state_machine_ids(self) -> list[str]:
        return sorted(self.record["StateMachines"])

    def state_machine(self, logical_id: str | None = None, **kwargs: Any) -> StateMachine:
        """The state machine ``logical_id`` (the only one when None), bound to the stack's functions."""
        machines = self.record["StateMachines"]
        if logical_id is None:
            if len(machines) != 1:
                raise TemplateError(
                    f"the stack has {len(machines)} state machines; choose one with --state-machine: "
                    + (", ".join(sorted(machines)) or "(none)"), self.record["Template"])
            logical_id = next(iter(machines))
        if logical_id not in machines:
            raise TemplateError(f"no state machine {logical_id!r}; the stack has: {', '.join(sorted(machines)) or '(none)'}",
                                self.record["Template"])
        machine = machines[logical_id]
        kwargs.setdefault("data_root", self.root)  # its service tasks reach this stack's tables and buckets
        return StateMachine(machine["Definition"], resources={**self.handlers(), **kwargs.pop("resources", {})},
                            name=machine["Name"], **kwargs)

    def rule_runs(self, rule: str, **kwargs: Any) -> list[tuple[StateMachine, Any]]:
        """What the rule ``rule`` starts, as EventBridge would: (state machine, its input) pairs."""
        rules = self.record.get("Rules", {})
        if rule not in rules:
            raise TemplateError(f"no rule or schedule {rule!r} starts a state machine of this stack; it has: "
                                f"{', '.join(sorted(rules)) or '(none)'}", self.record["Template"])
        return [(self.state_machine(target["StateMachine"], **kwargs),
                 schedules.event_for(rules[rule]["Arn"], target, REGION, ACCOUNT))
                for target in rules[rule]["Targets"]]

    def fire(self, rule: str, **kwargs: Any) -> list[Any]:
        """Start what the rule ``rule`` targets; return the finished executions."""
        return [machine.run(event) for machine, event in self.rule_runs(rule, **kwargs)]

    def deliver_events(self, **kwargs: Any) -> list[Any]:
        """Start, each once, what the events put on the local buses deliver to this stack's state
        machines (its rules' targets); return the finished executions. Other targets' deliveries
        are left pending for whoever runs them."""
        from stepflow.api.event_targets import deliver

        bus = EventBus(self.root)
        starter = _Starter(self, kwargs)
        for delivery in bus.pending() if bus.path.exists() else []:
            if delivery.arn in starter.machines:
                deliver(bus, starter, delivery)
        return starter.executions

    def handlers(self) -> dict[str, Callable[[Any, Any], Any]]:
        """Every function by ARN, for ``StateMachine(resources=...)`` (the DynamoDB tasks need no
        handler: the dynamodb integration answers them from the data root's tables)."""
        found: dict[str, Callable[[Any, Any], Any]] = {}
        for data in self.record["Functions"]:
            spec = FunctionSpec.from_json(data)
            found[spec.arn] = handler_for(spec, self.root, self._workers)
        return found

    def close(self) -> None:
        """Stop the function workers this stack started."""
        for worker in self._workers:
            worker.close()
        self._workers.clear()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def down(self) -> list[str]:
        """Remove what ``up`` created (tables, buckets, collections, queues, topics, subscriptions,
        rules) and the stack's record; return what went. The newest go first: a subscription
        before its topic."""
        self.close()
        removed = []
        for created in reversed(self.record["Created"]):
            if created["Type"] in ("queue", "topic", "subscription", "rule"):
                if not messaging.take_down(self.root, created):
                    continue
            elif created["Type"] == "table" and Tables(self.root).exists(created["Name"]):
                Tables(self.root).delete(created["Name"])
            elif created["Type"] == "bucket" and Buckets(self.root).exists(created["Name"]):
                Buckets(self.root).delete(created["Name"], force=True)
            elif created["Type"] == "collection" and _collections(self.root).exists(created["Name"]):
                _collections(self.root).delete_collection(created["Name"])
            else:
                continue
            removed.append(f"{created['Type']} {created['Name']}")
        StackStore(self.root).delete(self.name)
        return removed


class _Starter:
    """StartExecution for the bus's deliverer, run in-process to the end with the stack's bindings."""

    def __init__(self, stack: Stack, kwargs: dict[str, Any]) -> None:
        self.stack, self.kwargs, self.executions = stack, kwargs, []
        self.machines = {machine["Arn"]: logical for logical, machine in stack.record["StateMachines"].items()}

    def start_execution(self, *, stateMachineArn: str, name: str, input: str) -> dict[str, str]:
        execution = self.stack.state_machine(self.machines[stateMachineArn], **self.kwargs).run(json.loads(input), name=name)
        self.executions.append(execution)
        return {"executionArn": execution.execution_arn}


class _Builder:
    """Resolves one template and brings its resources up."""

    def __init__(self, path: Path, name: str, parameters: dict[str, str], root: Path) -> None:
        self.root = root
        self.store = StackStore(root)
        self.names = providers.Names(name, REGION, ACCOUNT)
        self.source = sources.load(path, {"stage": parameters.get("stage", "")} if parameters.get("stage") else {})
        template = self.source.template
        self.where = str(self.source.path)
        self.resources: dict[str, Any] = {}
        self.evaluator = Evaluator(Scope(
            stack_name=name, region=template.get("ServerlessRegion") or REGION, account=ACCOUNT,
            parameters=self._parameters(template.get("Parameters") or {}, parameters),
            mappings=template.get("Mappings") or {}, conditions=template.get("Conditions") or {},
            resource_ref=self._ref, resource_attribute=self._attribute,
            is_resource=lambda logical_id: logical_id in self.resources, import_value=self._import,
        ))
        for logical_id, resource in template["Resources"].items():
            where = f"{self.where}: Resources.{logical_id}"
            if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
                raise TemplateError("a resource needs a Type", where)
            condition = resource.get("Condition")
            if condition is None or self.evaluator.condition(condition, where):
                self.resources[logical_id] = resource
        self._properties: dict[str, Any] = {}

    # --- parameters and references ------------------------------------------------------------

    def _parameters(self, declared: dict[str, Any], given: dict[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        unknown = sorted(set(given) - set(declared) - {"stage"})
        if unknown:
            raise TemplateError(f"--parameter {', '.join(unknown)}: the template declares no such parameter "
                                f"(it has: {', '.join(declared) or 'none'})", self.where)
        for name, spec in declared.items():
            spec = spec or {}
            if name in given:
                value: Any = given[name]
            elif "Default" in spec:
                value = spec["Default"]
            else:
                raise TemplateError(f"parameter {name!r} has no Default and no value: pass --parameter {name}=VALUE",
                                    f"{self.where}: Parameters.{name}")
            value = str(value).lower() if isinstance(value, bool) else value
            allowed = spec.get("AllowedValues")
            if allowed and str(value) not in [str(a) for a in allowed]:
                raise TemplateError(f"parameter {name!r} must be one of {allowed}, not {value!r}",
                                    f"{self.where}: Parameters.{name}")
            if str(spec.get("Type", "String")).startswith(("List<", "CommaDelimitedList")):
                value = value if isinstance(value, list) else [part.strip() for part in str(value).split(",")]
            elif not isinstance(value, str):
                value = str(value)
            values[name] = value
        return values

    def _import(self, export: str, where: str) -> Any:
        for record in self.store.all():
            if export in record.get("Exports", {}) and record["StackName"] != self.names.stack:
                return record["Exports"][export]
        raise TemplateError(f"Fn::ImportValue {export!r}: no stack that is up exports it (bring that stack up first)", where)

    def properties(self, logical_id: str) -> dict[str, Any]:
        cached = self._properties.get(logical_id)
        if cached is _RESOLVING:
            raise TemplateError("the resource's properties refer to themselves (a circular dependency)",
                                f"{self.where}: Resources.{logical_id}")
        if cached is None:
            self._properties[logical_id] = _RESOLVING
            raw = self.resources[logical_id].get("Properties") or {}
            self._properties[logical_id] = cached = self.evaluator.resolve(raw, f"{self.where}: Resources.{logical_id}.Properties")
        return cached

    def physical(self, logical_id: str) -> str:
        kind = self.resources[logical_id]["Type"]
        info = providers.type_info(kind)
        raw = (self.resources[logical_id].get("Properties") or {}).get(info.name_property) if info.name_property else None
        explicit = self.evaluator.resolve(raw, f"{self.where}: Resources.{logical_id}.Properties.{info.name_property}") if raw is not None else None
        return info.physical(logical_id, {info.name_property: explicit} if explicit else {}, self.names)

    def _ref(self, logical_id: str, where: str) -> Any:
        return providers.ref(self.resources[logical_id]["Type"], self.physical(logical_id), self.names)

    def _attribute(self, logical_id: str, attribute: str, where: str) -> Any:
        if self.resources[logical_id]["Type"] == "AWS::Events::Rule" and attribute == "Arn":
            return messaging.arn_of_rule(self.physical(logical_id), self.properties(logical_id))
        return providers.attribute(self.resources[logical_id]["Type"], attribute, self.physical(logical_id), self.names, where)

    # --- up -------------------------------------------------------------------------------------

    def up(self) -> dict[str, Any]:
        previous = self.store.get(self.names.stack)
        if previous is not None and previous["Template"] != str(self.source.path.resolve()):
            raise TemplateError(f"a stack named {self.names.stack!r} is already up from {previous['Template']}: "
                                "choose another --name or bring it down first")
        created = list(previous["Created"]) if previous else []
        rows, functions, machines = [], [], {}
        for logical_id, resource in self.resources.items():
            kind = resource["Type"]
            where = f"{self.where}: Resources.{logical_id}"
            try:
                status = providers.kind_of(kind)
            except TemplateError as refused:
                raise TemplateError(str(refused), where) from None
            if kind == "AWS::Events::Rule" and not messaging.is_pattern_rule(resource):
                status = providers.NOT_YET  # a schedule: nothing runs it but ``stack fire``
            physical = self.physical(logical_id)
            row = {"LogicalResourceId": logical_id, "ResourceType": resource.get("SamResourceType") or kind,
                   "PhysicalResourceId": physical, "Status": status}
            if status == providers.EMULATED:
                properties = self.properties(logical_id)
                if kind == "AWS::DynamoDB::Table" and Tables(self.root).create(physical, _key_schema(properties, where)):
                    created.append({"Type": "table", "Name": physical})
                elif kind == "AWS::S3::Bucket" and Buckets(self.root).create(physical):
                    created.append({"Type": "bucket", "Name": physical})
                elif kind == "AWS::Rekognition::Collection" and not _collections(self.root).exists(physical):
                    _collections(self.root).create_collection(physical)
                    created.append({"Type": "collection", "Name": physical})
                elif kind == "AWS::Lambda::Function":
                    spec = self._function(logical_id, physical, properties, where)
                    functions.append(spec.to_json())
                    if spec.problem or problem_of(spec.runtime):
                        row["Note"] = spec.problem or problem_of(spec.runtime)
                elif kind == "AWS::StepFunctions::StateMachine":
                    machines[logical_id] = {"Name": physical, "Arn": self._ref(logical_id, where),
                                            "Definition": self._definition(properties, where)}
            rows.append(row)
        created += self._messaging(rows, machines)
        machine_of_arn = {machine["Arn"]: logical for logical, machine in machines.items()}.get
        rules = {}
        for logical_id, resource in self.resources.items():
            if resource["Type"] in ("AWS::Events::Rule", "AWS::Scheduler::Schedule"):
                where = f"{self.where}: Resources.{logical_id}"
                targets = schedules.rule_targets(logical_id, resource, self.properties(logical_id), machine_of_arn)
                if targets:
                    rules[logical_id] = {"Arn": self._attribute(logical_id, "Arn", where), "Targets": targets}
                    row = next(r for r in rows if r["LogicalResourceId"] == logical_id)
                    row["Note"] = f"starts {', '.join(t['StateMachine'] for t in targets)}: stepflow stack fire {self.names.stack} {logical_id}"
        outputs, exports = {}, {}
        for key, output in (self.source.template.get("Outputs") or {}).items():
            where = f"{self.where}: Outputs.{key}"
            if output.get("Condition") and not self.evaluator.condition(output["Condition"], where):
                continue
            outputs[key] = self.evaluator.resolve(output.get("Value"), where)
            if isinstance(output.get("Export"), dict):
                exports[self.evaluator.resolve(output["Export"].get("Name"), where)] = outputs[key]
        record = {"StackName": self.names.stack, "Template": str(self.source.path.resolve()), "Kind": self.source.kind,
                  "Resources": rows, "Outputs": outputs, "Exports": exports, "Created": _unique(created),
                  "Functions": functions, "StateMachines": machines, "Rules": rules}
        self.store.save(self.names.stack, record["Template"], record)
        return record

    def _messaging(self, rows: list[dict[str, Any]], machines: dict[str, Any]) -> list[dict[str, str]]:
        """Create the emulated queues, topics, subscriptions, buses and rules, a topic before its
        subscriptions; what was created."""
        created: list[dict[str, str]] = []
        for row in sorted(rows, key=lambda r: messaging.ORDER.get(self.resources[r["LogicalResourceId"]]["Type"], -1)):
            logical_id = row["LogicalResourceId"]
            kind = self.resources[logical_id]["Type"]
            if kind not in messaging.ORDER or row["Status"] != providers.EMULATED:
                continue
            where = f"{self.where}: Resources.{logical_id}"
            owner = machines.get(self.resources[logical_id].get("SamGeneratedBy") or "")
            made, note = messaging.bring_up(self.root, kind, row["PhysicalResourceId"], self.properties(logical_id),
                                            where=where, machine=owner["Arn"] if owner else None)
            created += made
            if note:
                row["Note"] = note
        return created

    def _function(self, logical_id: str, physical: str, properties: dict[str, Any], where: str) -> FunctionSpec:
        code = properties.get("Code") or {}
        runtime = str(properties.get("Runtime") or "")
        folder, problem = None, None
        if "ZipFile" in code:
            problem = "its code is inline (ZipFile); put it in a folder and use CodeUri to run it locally"
        elif "ImageUri" in code or properties.get("PackageType") == "Image":
            problem = "it is a container image; stepflow runs zip functions from local folders"
        elif "LocalPath" in code:
            folder = self._local_path(code["LocalPath"], f"{where}.Properties.CodeUri")
        elif isinstance(code.get("S3Key"), str) and code["S3Key"] in self.source.assets:
            folder = self.source.assets[code["S3Key"]]
        else:
            problem = "its code is in S3 (Code.S3Bucket/S3Key) with no local folder for it"
        layers = []
        local_layers = {self._ref(lid, where): lid for lid, r in self.resources.items() if r["Type"] == "AWS::Lambda::LayerVersion"}
        for arn in properties.get("Layers") or []:
            if arn in local_layers:
                content = (self.properties(local_layers[arn]).get("Content") or {}).get("LocalPath")
                if content:
                    layer = self._local_path(content, f"{self.where}: Resources.{local_layers[arn]}.Properties.ContentUri")
                    layers.append(layer / "python" if (layer / "python").is_dir() and runtime.startswith("python") else layer)
        variables = ((properties.get("Environment") or {}).get("Variables")) or {}
        return FunctionSpec(
            logical_id=logical_id, name=physical, arn=providers.attribute("AWS::Lambda::Function", "Arn", physical, self.names, where),
            runtime=runtime, handler=str(properties.get("Handler") or ""), code=folder, where=where,
            layers=tuple(layers), environment={k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in variables.items()},
            timeout=float(properties.get("Timeout") or 3), memory=int(properties.get("MemorySize") or 128), problem=problem,
        )

    def _local_path(self, relative: Any, where: str) -> Path:
        """A path in the template, relative to its folder, whose case must match the disk's exactly."""
        if not isinstance(relative, str):
            raise TemplateError(f"expected a local path, found {json.dumps(relative)}", where)
        path = self.source.folder
        for part in Path(relative).parts:
            if part in (".", ""):
                continue
            if part == ".." or not path.is_dir():
                path = path / part
                continue
            entries = os.listdir(path)
            if part not in entries:
                near = [e for e in entries if e.lower() == part.lower()] or difflib.get_close_matches(part, entries, 1)
                hint = f"; did you mean {near[0]!r}? (names are case-sensitive, as on AWS)" if near else ""
                raise TemplateError(f"{relative!r}: no {part!r} in {path}{hint}", where)
            path = path / part
        return path.resolve()

    def _definition(self, properties: dict[str, Any], where: str) -> dict[str, Any]:
        """The definition with DefinitionSubstitutions applied as AWS applies them: to the text."""
        if "Definition" in properties:
            text = json.dumps(properties["Definition"])
        elif "DefinitionString" in properties:
            text = str(properties["DefinitionString"])
        elif isinstance(properties.get("DefinitionUri"), str):
            path = self._local_path(properties["DefinitionUri"], f"{where}.Properties.DefinitionUri")
            text = path.read_text(encoding="utf-8")
            if path.suffix in (".yaml", ".yml"):
                from stepflow.stacks.loading import load_document

                text = json.dumps(load_document(path))
        else:
            raise TemplateError("a state machine needs Definition, DefinitionString or a local DefinitionUri", where)
        for name, value in (properties.get("DefinitionSubstitutions") or {}).items():
            text = text.replace("${" + name + "}", value if isinstance(value, str) else json.dumps(value))
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise TemplateError(f"the definition is not valid JSON after substitutions: {error}", where) from None


def _key_schema(properties: dict[str, Any], where: str) -> KeySchema:
    types = {d["AttributeName"]: d["AttributeType"] for d in properties.get("AttributeDefinitions") or []}
    keys = {k["KeyType"]: k["AttributeName"] for k in properties.get("KeySchema") or []}
    if "HASH" not in keys:
        raise TemplateError("a table needs a KeySchema with a HASH key", f"{where}.Properties.KeySchema")
    for name in keys.values():
        if name not in types:
            raise TemplateError(f"key {name!r} has no AttributeDefinitions entry", f"{where}.Properties.AttributeDefinitions")
    indexes = (properties.get("GlobalSecondaryIndexes") or []) + (properties.get("LocalSecondaryIndexes") or [])
    range_key = keys.get("RANGE")
    return KeySchema(keys["HASH"], types[keys["HASH"]], range_key, types.get(range_key) if range_key else None, indexes)


def _unique(created: list[dict[str, str]]) -> list[dict[str, str]]:
    seen, result = set(), []
    for item in created:
        if (item["Type"], item["Name"]) not in seen:
            seen.add((item["Type"], item["Name"]))
            result.append(item)
    return result


def _collections(root: Path) -> Any:
    """The data root's face collections, imported on first use: they need the ``faces`` extra."""
    from stepflow.services.faces import FaceCollections

    return FaceCollections(root)
