"""Form filling generated from a procedure's JSON Schema.

``schema`` walks the form into a field tree, ``conditional`` decides which
``if``/``then`` fields are shown, ``validation`` checks values inline and
routes the portal's errors to their fields, ``widgets`` renders one widget
per field kind, ``summary`` says what will be sent, ``modals`` holds the
dialogs. The screen that puts them together is :mod:`tui.screens.form`.
"""
