"""The base of the errors a user should see as one line: what is wrong and what to do.

Every layer raises its own kind (a bank's BankError, key.json's KeyFileError, …); the `cnnquiz` command
prints any of them as `cnnquiz: error: …` with exit code 2 (a traceback only with --debug). It lives in the
grader, the lowest layer, so that the grader's errors share it; this module imports nothing.
"""


class UserError(Exception):
    """An error in what the user gave (a file, an option, a parameter); the message is one line saying what to do."""
