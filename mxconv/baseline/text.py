"""Text that came from a port or a file, made safe to show on one line."""

__all__ = ["escaped", "one_line"]


def escaped(text: str) -> str:
    """``text`` with every character that is not printable written as its escape
    (``\\r``, ``\\x1b``, ``\\udcff``), tabs and newlines as spaces: a line of the
    report cannot move the cursor, recolour the terminal or fail to encode."""
    text = str.__str__(text)  # a str subclass's own __str__ is port code
    if str.isprintable(text):
        return text
    return "".join(ch if ch.isprintable() else " " if ch in "\t\n" else
                   ch.encode("unicode_escape", "backslashreplace").decode("ascii") for ch in text)


def one_line(text: str, most: int = 300) -> str:
    """``text`` escaped, its runs of white space made one space, cut to ``most`` characters."""
    text = " ".join(escaped(text).split())
    return text if len(text) <= most else text[:most - 3] + "..."
