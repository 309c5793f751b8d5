"""REST v10 route handlers, one module per resource, each with ``register(emu, shared)``."""
