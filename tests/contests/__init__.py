"""Tests of best-practice contests (forum/contests)."""
