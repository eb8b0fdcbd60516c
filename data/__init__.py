"""The embedded default data, reference boundaries and templates, installed with the wheel as package data."""
