"""The lesson's dispatcher: the Lambda hands the task token on, and the answer comes back with
SendTaskSuccess, as a real approval flow's would from a web page or an email link. Here it answers at
once (the token is open before the Lambda is called, as on AWS), so every run is the same."""
from stepflow.integrations.callbacks import CallbackHub

CALLBACKS = CallbackHub()  # where the callback task waits; the lesson's machine is given it


def ask_dispatcher(event, context):
    decision = {"approved": event["km"] < 500, "by": "dispatcher-7"}
    CALLBACKS.send_success(event["token"], decision)  # what a client's send_task_success does
    return {"StatusCode": 202}


RESOURCES = {"arn:aws:lambda:us-east-1:123456789012:function:ask-dispatcher": ask_dispatcher}
