"""The SQL files (views, macros, reports), installed with the wheel as package data."""
