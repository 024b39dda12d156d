"""Function runtimes for a template's code: each Lambda function in a process of its own.

Why processes and not importlib in this process: Lambda gives every function its own process, and
what handlers rely on is process-wide: ``os.environ`` (two functions give ``TABLE_NAME`` different
values, and Parallel branches run them at once), ``sys.modules`` (two ``app.py``, two
``utils.py``), ``sys.path``, module-level state kept between warm invocations, and ``sys.exit``.
A worker per function keeps all of that apart as Lambda does; it starts once and stays warm.
"""
