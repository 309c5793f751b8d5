"""The local Discord API emulator (REST v10 + gateway) for tests, the demo and benchmarks."""
