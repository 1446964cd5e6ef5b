"""Tests of the data step."""
