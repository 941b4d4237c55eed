"""Path globs over the final filesystem: ``*`` within a name, ``**`` across directories.

``/var/lib/apt/lists/**`` matches everything below that directory; ``/root/.cache/*``
matches its direct children; ``**/__pycache__/**`` matches at any depth. Globs and paths both
start with ``/``.
"""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=256)
def compile_glob(glob: str) -> re.Pattern[str]:
    """The regular expression a glob stands for (anchored, matched against ``/path``)."""
    parts = glob.strip("/").split("/")
    pattern = ""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            pattern += "(?:/.*)?" if last else "(?:/[^/]+)*"
            continue
        pattern += "/" + _component(part)
    return re.compile(pattern + r"\Z", re.DOTALL)


def _component(part: str) -> str:
    out = []
    position = 0
    while position < len(part):
        char = part[position]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = part.find("]", position + 2)
            if end < 0:
                out.append(re.escape(char))
            else:
                body = part[position + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                position = end
        else:
            out.append(re.escape(char))
        position += 1
    return "".join(out)


def matches(glob: str, path: str) -> bool:
    """True if the normalised relative ``path`` matches ``glob``."""
    return compile_glob(glob).match("/" + path) is not None
