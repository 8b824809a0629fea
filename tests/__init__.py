"""mxconv's tests: a package, so that test files share tests/_helpers.py by a relative import."""
