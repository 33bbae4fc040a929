"""`python -m consortia` runs the command."""

from consortia.cli import entry

if __name__ == "__main__":  # not when a worker process imports it
    entry()
