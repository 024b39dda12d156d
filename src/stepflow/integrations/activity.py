"""Activities: ``arn:aws:states:REGION:ACCOUNT:activity:NAME``.

The task is queued until a worker takes it (GetActivityTask) and answers it with its token; the
engine does the waiting (``engine/states/callback.py``) and writes the Activity* events. An
activity that was never created fails the state with States.Runtime, as on AWS.
"""
from __future__ import annotations

import re

from stepflow.integrations.base import Integration

ACTIVITY_ARN = re.compile(r"^arn:[\w-]+:states:[\w-]+:\d{12}:activity:[A-Za-z0-9_.-]{1,80}$")


class Activity(Integration):
    events = "activity"
