"""The command line: argument parsing, what is printed and the exit codes only; every figure and
every write comes from the stages below."""
