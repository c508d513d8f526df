"""``python -m jjjplan`` runs the ``jjjplan`` command (useful where Scripts/ is not on PATH)."""

from jjjplan.cli import main

if __name__ == "__main__":
    main(prog_name="jjjplan")
