"""Ports of the section for the checker's tests: a faithful one, and wrong ones it must catch."""
