"""Backtesting: the runner around the kernel, metrics and reports."""
