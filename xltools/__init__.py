"""xltools: task breakdown, quarterly forms and returns for supervision offices (督办室)."""
__version__ = "0.1.0"
