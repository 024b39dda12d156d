"""One module per state type; ``base`` holds what they share and ``run_state`` / ``run_lane``."""
