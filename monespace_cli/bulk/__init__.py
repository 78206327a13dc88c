"""``monespace bulk``: many dossiers from one spreadsheet, safely.

One concept a module: :mod:`.sheet` reads the file (:mod:`.workbook` when it
is a workbook; both give the :mod:`.records` types), :mod:`.mapping` says
what each column is, :mod:`.coerce` types a cell from the form's schema,
:mod:`.rows` builds and checks a row, :mod:`.journal` keeps each row's
progress on disk, :mod:`.retry` and :mod:`.runner` file the rows,
:mod:`.report` and :mod:`.progress` show the outcome, :mod:`.job` ties the
steps together for the command (``monespace_cli/commands/bulk.py``).
"""
