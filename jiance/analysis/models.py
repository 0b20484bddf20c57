"""No tables yet: the weights are computed from the platform's records when asked (build.py)."""
