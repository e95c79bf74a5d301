"""KOSTRA extracts from SSB's statbank: parsing CSV and JSON-stat, classifying regions."""
