"""Templates in: SAM, CloudFormation, CDK cloud assemblies and Serverless Framework projects.

``Stack.from_template(path)`` reads a project as it is, brings up what it declares in the data
root (tables, buckets, functions, state machines) and hands out its state machines bound to the
project's own functions.
"""
from stepflow.stacks.errors import TemplateError
from stepflow.stacks.stack import Stack

__all__ = ["Stack", "TemplateError"]
