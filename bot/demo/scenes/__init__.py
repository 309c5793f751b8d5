"""Scenes of `python -m bot demo`, one module per capability."""
