"""Axiomatic models that judge candidate executions: ``sc``, ``tso`` and ``lkmm``."""
