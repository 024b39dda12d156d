"""Stepping through an execution: the session (library), and the terminal stepper on top of it."""
from stepflow.debug.session import DebugError, DebugSession, PendingStep

__all__ = ["DebugError", "DebugSession", "PendingStep"]
