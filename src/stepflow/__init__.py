"""stepflow: run Amazon States Language state machines locally, exactly as AWS Step Functions does."""
from stepflow.asl.errors import ASLError, DefinitionError, Diagnostic, StepflowError, TaskError

__all__ = ["ASLError", "DefinitionError", "Diagnostic", "StepflowError", "TaskError"]
