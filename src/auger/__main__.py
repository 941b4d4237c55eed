"""Allow ``python -m auger``."""

from auger.cli.main import run

if __name__ == "__main__":
    run()
