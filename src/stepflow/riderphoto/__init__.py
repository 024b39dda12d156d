"""The Wild Rydes rider-photo workflow: its task functions and the local stack they run on.

Face detection needs the 'faces' extra; ``stack`` (names, buckets, tables) imports without it.
"""
