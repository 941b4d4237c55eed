"""Code that vulture cannot see used: reached through a protocol or a framework.

vulture (``python3 -m vulture``, set up in ``pyproject.toml``'s ``[tool.vulture]``) reports
code that nothing refers to. The names Textual and pytest call by convention (``on_*``,
``action_*``, ``compose``, ``BINDINGS``, fixtures, hooks...) are ignored there by pattern;
each entry here is one use that vulture cannot see, and says who uses it. The entries are real
references checked by mypy, so one fails as soon as what it names is gone.
"""

from __future__ import annotations

import io
import tarfile

from selenium.webdriver import ChromeOptions
from textual.widget import Widget
from textual.widgets import Input, TextArea

import auger
from auger.cli.parsing import Parser

_USED_WHERE_VULTURE_CANNOT_SEE = (
    auger.__getattr__,  # Python calls a module's __getattr__ for auger.__version__ (PEP 562)
    Parser.print_help,  # argparse calls it for --help (auger's writes nothing: main prints)
    io.RawIOBase.readable,  # io's buffered readers ask their raw stream (sources, tests)
    tarfile.TarInfo().mtime,  # tarfile writes it into each member's header (the image writer)
    ChromeOptions().binary_location,  # chromedriver starts this chromium (the browser tests)
    Input._suggestion,  # Textual's Input draws it; the filter bar clears it on every keystroke
    Widget().border_subtitle,  # Textual draws it on the border (the dialogs' keys)
    TextArea.cursor_blink,  # Textual's TextArea reads it; the file viewer's cursor stays still
)
