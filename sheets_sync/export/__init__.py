"""Export: the ITAS-ready list of one agency (or every agency), from the sheet as read.
Takes a backend Snapshot and the catalogue; gives .xlsx and .csv files whose every text cell is text
(core.cellsafe). May use core, config, sheet (and every stage below `pipeline`)."""
