"""``python -m tradebot`` runs the CLI."""

from tradebot.cli import main

if __name__ == "__main__":
    main()
