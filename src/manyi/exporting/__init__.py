"""Writing data out for people: spreadsheet-safe CSV/XLSX cells."""
