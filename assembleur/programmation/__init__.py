"""The programmation from the spreadsheets staff keep, and back: read (:mod:`.tableur`, :mod:`.lecture`),
merged into the year's actions (:mod:`.fusion`), written as a workbook (:mod:`.export`)."""
