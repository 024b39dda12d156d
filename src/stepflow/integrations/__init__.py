"""What a Task state does: one integration per kind of Resource, bound once at compile time.

``base.py`` is the contract (TaskCall, Integration, Binding); ``table.py`` the one table that
resolves a Resource; ``resources.py`` what a machine's tasks can reach (handlers, task tokens);
then one module per integration: ``lambda_.py``, ``handler.py`` (a handler registered for an exact
Resource), ``activity.py``, ``unsupported.py``; ``callbacks.py`` holds the task tokens that
callbacks and activities wait on.
"""
