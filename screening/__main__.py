from screening.cli import run

run()
