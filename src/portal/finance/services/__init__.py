"""The finance services: one module per job (invoices, the statement, balances, printed documents)."""
