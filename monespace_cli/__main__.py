"""``python -m monespace_cli`` runs the ``monespace`` command."""

from monespace_cli.app import main

if __name__ == "__main__":
    main()
