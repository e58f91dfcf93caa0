"""Importing events from a spreadsheet: reading the file (`files`), checking each
row (`rows`), what the file would change (`changes`), then writing it (`writing`)."""
