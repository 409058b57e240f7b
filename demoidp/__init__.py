"""A demo identity provider: another system, started beside RS-portal by ./scripts/run and the tests."""
