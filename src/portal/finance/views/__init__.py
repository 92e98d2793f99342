"""The finance pages: invoices and their PDFs, payments, the settlement statement, the balances panel."""
