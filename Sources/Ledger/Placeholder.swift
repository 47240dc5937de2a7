// Replaced by the ledger implementation.
enum LedgerPlaceholder {}
