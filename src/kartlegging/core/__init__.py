"""Shared contracts of every stage: table schemas, the store, issues and reasons, overrides,
the Klass classification, answer vocabularies, config checks."""
