"""The domain logic as pure, vectorised functions over consumer arrays.

Nothing here imports Mesa: the model and agents orchestrate these functions.
"""
