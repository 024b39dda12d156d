"""The Wild Rydes rider-photo workflow: its task functions and the local stack they run on."""
