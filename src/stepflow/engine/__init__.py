"""The run loop: executions, state handlers, Retry/Catch, history, clocks."""
