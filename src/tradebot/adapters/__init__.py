"""Adapters: one sub-package per outside system (files, brokers, feeds, databases).

Only this package imports outside SDKs; the engine and the pure packages reach it solely
through the Protocols in :mod:`tradebot.ports`, so any adapter can be swapped for a fake.
"""
