"""The workshop's six functions as this template's code: stepflow's rider-photo tasks, given the
stack's names from the environment variables the template sets (each task module is imported by
the function that uses it only, so the notification never loads the face models)."""
import importlib


def _task(module_name):
    def handler(event, context):
        from stepflow.riderphoto.stack import Stack

        module = importlib.import_module(f"stepflow.riderphoto.{module_name}")
        return module.handler(event, context, stack=Stack.from_environment())
    return handler


face_detection = _task("face_detection")
notification = _task("notification")
face_search = _task("face_search")
index_face = _task("index_face")
thumbnail = _task("thumbnail")
persist_metadata = _task("persist_metadata")
