"""Importing events from a spreadsheet: reading the file (`files`), checking each
row (`rows`), and what the file would change, then writing it (`changes`)."""
