"""The one exception type for mistakes a user can make (bad file, column, key, value)."""


class InputError(ValueError):
    """A user-fixable problem: the message names the file/column/key and the fix.

    The CLI catches only this, prints the message on one line and exits with code 2.
    Anything else is a bug and keeps its traceback.
    """
