"""Domain layer: value objects, code lists, Vietnamese text rules. Imports nothing else of Sohoa."""
