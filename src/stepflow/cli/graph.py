"""``stepflow graph``: draw a definition (Mermaid, DOT or SVG), optionally with an execution's path."""
from __future__ import annotations

import argparse
import sys

from stepflow.asl.errors import DefinitionError, StepflowError
from stepflow.asl.validate import validate_definition
from stepflow.cli._inputs import add_definition_argument, read_definition, write_output
from stepflow.render.dot import to_dot
from stepflow.render.graph import build_graph
from stepflow.render.mermaid import to_mermaid
from stepflow.render.overlay import build_overlay
from stepflow.render.svg import graphviz_available


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "graph",
        help="draw a state machine as Mermaid, DOT or SVG",
        description="Draw a definition: every state, its transitions, Choice rules, Catch edges and "
        "nested Parallel branches / Map processors; with --execution, the path that execution took.",
    )
    add_definition_argument(parser)
    parser.add_argument("--execution", metavar="ID", help="a stored execution's ARN or name to draw the path of")
    parser.add_argument("--format", choices=("mermaid", "dot", "svg"), default="mermaid")
    parser.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    parser.set_defaults(handler=graph_command)


def graph_command(args: argparse.Namespace) -> int:
    definition = read_definition(args.definition)
    problems = [d for d in validate_definition(definition) if d.severity == "ERROR"]
    if problems:  # the same list `validate` shows, rather than the first thing drawing trips on
        raise DefinitionError(problems)
    graph = build_graph(definition)
    overlay = None
    if args.execution:
        from stepflow.store import data_root_store

        execution = data_root_store().get(args.execution)
        try:
            overlay = build_overlay(graph, execution.history)
        except StepflowError as error:
            raise StepflowError(f"execution {args.execution!r} did not run {args.definition}: {error}") from None
    if args.format == "mermaid":
        text = to_mermaid(graph, overlay)
    elif args.format == "dot":
        text = to_dot(graph, overlay)
    else:
        if not graphviz_available():
            print("stepflow: Graphviz 'dot' is not installed, so the SVG uses stepflow's own layered layout "
                  "(apt-get install graphviz for Graphviz's)", file=sys.stderr)
        from stepflow.render.layout_svg import graph_svg  # grandalf and numpy: only for SVG

        text = graph_svg(graph, overlay)
    if args.output:
        write_output(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
