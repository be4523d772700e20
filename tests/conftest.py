pytest_plugins = ["tests.e2e.harness", "tests.databases"]
