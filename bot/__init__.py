"""Peer Circles: a Discord bot for chronic-pain peer-support circles."""
