"""Fault suite: every fault made for real, each with its typed exception and a leak check."""
