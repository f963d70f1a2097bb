"""The domain kernel every feature shares."""
