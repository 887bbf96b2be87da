"""The verification pipeline, in the modules named for what they hold (see verifier.core)."""
