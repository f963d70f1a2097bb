"""Benchmarks of the forum (run `python bench/pages.py --help`)."""
