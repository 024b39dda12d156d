"""SVG through the Graphviz ``dot`` program, which lays out graphs far better than we could."""
from __future__ import annotations

import shutil
import subprocess

from stepflow.asl.errors import StepflowError

_TIMEOUT_SECONDS = 60


class GraphvizMissing(StepflowError):
    """Graphviz is not installed, so no SVG can be laid out."""


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def dot_to(dot_text: str, output_format: str = "svg") -> bytes:
    """Run ``dot -T<format>`` on DOT text (``svg`` or ``png``) and return what it writes."""
    program = shutil.which("dot")
    if program is None:
        raise GraphvizMissing(
            "SVG needs the Graphviz 'dot' program, which is not installed "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz); "
            "use --format mermaid or --format dot instead"
        )
    done = subprocess.run(
        [program, f"-T{output_format}"], input=dot_text.encode(), capture_output=True,
        timeout=_TIMEOUT_SECONDS, check=False,
    )
    if done.returncode != 0:
        raise StepflowError(f"Graphviz dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def to_svg(dot_text: str) -> str:
    """The SVG of DOT text, without the XML prolog so it can be inlined in HTML."""
    svg = dot_to(dot_text, "svg").decode()
    return svg[svg.index("<svg"):]
