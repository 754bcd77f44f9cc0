"""INN901: the engine reports files it cannot read or decode; this class documents it."""

from __future__ import annotations

from inngest_lint.rules.base import Rule


class UnreadableFileRule(Rule):
    """A file that cannot be read or decoded.

    ## What it does
    Reports a Python file that cannot be opened (permissions), that is larger than
    `max-file-size` (libcst needs about 500 bytes of memory per byte of source), that holds NUL
    bytes (a binary file with a `.py` name), that is not valid in its declared encoding (UTF-8 by
    default, or a `coding:` cookie naming a codec that fails), or that Python compiles but the
    linter's parser cannot read: libcst refuses it, crashes on it, or does not finish it in time
    (each such file is parsed in a process of its own, so it never costs the other files their
    findings). The run goes on with the other files.

    ## Why is this bad?
    The linter cannot check what it cannot read, and Python cannot import it either.

    ## Example
    A file whose bytes are not valid in its declared encoding: a `.py` file saved as Latin-1
    without a `# -*- coding: latin-1 -*-` line, or, as here, one that declares ASCII and holds
    UTF-8 text.

    ## Use instead
    Save the file as UTF-8 (the default), or declare its encoding on the first or second line.
    """

    code = "INN901"
    name = "unreadable-file"
    options = ("max-file-size",)
    VALID = (
        """
        # -*- coding: utf-8 -*-
        import inngest

        client = inngest.Inngest(app_id="hotel")
        WELCOME = "Bienvenue à bord"
        """,
    )
    INVALID = (
        """
        # -*- coding: ascii -*-  # error: INN901
        import inngest

        client = inngest.Inngest(app_id="hotel")
        WELCOME = "Bienvenue à bord"
        """,
    )
