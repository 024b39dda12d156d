"""Names and ARNs as AWS forms them, in the one local account and region stepflow uses."""
from __future__ import annotations

import re

from stepflow.asl.errors import StepflowError

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_ROLE_ARN = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/stepflow-local-execution-role"

# StartExecution / CreateStateMachine name rules: 1-80 characters, none of whitespace, brackets,
# wildcards, the listed special characters or control characters.
_FORBIDDEN_NAME_CHARACTERS = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


class InvalidName(StepflowError):
    """A state machine or execution name AWS would refuse (AWS's error: InvalidName)."""


def check_name(name: str, what: str = "execution") -> str:
    """Return ``name`` if AWS accepts it as a state machine or execution name, else raise InvalidName."""
    if not 1 <= len(name) <= 80:
        raise InvalidName(f"Invalid Name: {what} name {name!r} must be 1 to 80 characters long")
    bad = _FORBIDDEN_NAME_CHARACTERS.search(name)
    if bad:
        raise InvalidName(f"Invalid Name: {what} name {name!r} contains {bad.group()!r}")
    return name


def state_machine_arn(
    name: str, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT
) -> str:
    """``arn:aws:states:REGION:ACCOUNT:stateMachine:NAME``."""
    return f"arn:aws:states:{region}:{account}:stateMachine:{check_name(name, 'state machine')}"


def execution_arn(
    state_machine_name: str,
    execution_name: str,
    region: str = DEFAULT_REGION,
    account: str = DEFAULT_ACCOUNT,
) -> str:
    """``arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:EXECUTION``."""
    check_name(state_machine_name, "state machine")
    check_name(execution_name)
    return f"arn:aws:states:{region}:{account}:execution:{state_machine_name}:{execution_name}"
