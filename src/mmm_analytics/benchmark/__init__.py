"""Recovery benchmark: synthetic panels with known truth, fitted with the default config."""
