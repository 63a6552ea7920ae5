"""Pipeline stages: plain, picklable functions over page contexts, plus the runner."""
