"""Tests of the synthetic panel generator."""
