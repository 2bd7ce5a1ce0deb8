"""What collect writes into its output folder, marking the folder as xltools' own: the ledger
that owns it (collect.run.check_owner) and what its outputs were made from (api). Intake
never reads a folder holding either as an inbox."""

OWNER = ".xltools-ledger"
OUTPUTS_STAMP = ".xltools-collect.json"
