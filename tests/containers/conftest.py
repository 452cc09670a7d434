"""The container rehearsal's fixtures live in tests/conftest.py: the browser and
websocket suites use the same rehearsal as a further target."""
