"""Distributed Map: a Map Run's items (readers, batcher), its child executions (a serializable unit
any executor can run: threads, a process pool, a Dask cluster), its record, and its results (writer).

The state itself is ``engine/states/distributed_map.py``; nothing here knows about lanes or the run
loop except ``child.py``, which runs one child as an execution of its own.
"""
