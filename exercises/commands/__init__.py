"""The `cnnquiz` subcommands, one module each: its `cmd_*` functions and `add(commands)`, which declares its
arguments. Heavy modules are imported inside the commands, so that `--help` is fast."""
