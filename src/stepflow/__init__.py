"""stepflow: run Amazon States Language state machines locally, exactly as AWS Step Functions does."""
__version__ = "0.1.0"  # the distribution is `stepflow-asl`; see CHANGELOG.md

from stepflow.asl.errors import ASLError, DefinitionError, Diagnostic, StepflowError, TaskError
from stepflow.runtime.clock import RealClock, VirtualClock
from stepflow.engine.execution import Execution, UnansweredTask
from stepflow.engine.trace import StepRecord
from stepflow.machine import StateMachine

__all__ = [
    "__version__",
    "ASLError",
    "DefinitionError",
    "Diagnostic",
    "Execution",
    "RealClock",
    "StateMachine",
    "StepRecord",
    "StepflowError",
    "TaskError",
    "UnansweredTask",
    "VirtualClock",
]
