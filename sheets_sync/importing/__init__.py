"""Importing: agencies' Excel and CSV forms become URLs written into the sheet, and the form itself
(`template`). May use every stage below `worker`."""
