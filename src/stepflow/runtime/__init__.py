"""The low layer every other part of a run imports downward: time, stop signals, ARNs and names.

Nothing here knows about states, integrations or the API: ``engine/`` (the run loop),
``integrations/`` (what a Task does) and ``api/`` all build on these pieces.
"""
