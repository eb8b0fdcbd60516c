"""The ground floor: settings, the clock, money, the rules for typed text and numbers, refusals, logs
and reading a file safely. Imports nothing else of the project, so every stage above may use it."""
