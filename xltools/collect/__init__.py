"""Collect: intake, examine, ledger."""
