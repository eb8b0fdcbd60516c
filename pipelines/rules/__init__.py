"""The rules: allocation, coverage gaps and membership plans, as calls to the SQL macros in sql/.
The query gateway between the store and everything that shows or writes a figure."""
