"""Variable substitution in Dockerfile words, as the builder does it for ``ARG`` and ``ENV``.

``$NAME`` and ``${NAME}`` take a variable's value (empty when unset); ``${NAME:-word}`` the
word when it is unset or empty, ``${NAME-word}`` only when unset; ``${NAME:+word}`` the word
when it is set and not empty, ``${NAME+word}`` when set. Single quotes keep their content
literal, double quotes group but still substitute, and the escape character keeps the next
character literal; quotes and escapes are removed from the result, as in the builder's
``ProcessWord``. Word splitting (:func:`split`) follows the same quoting.
"""

from __future__ import annotations

from collections.abc import Mapping

_NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_NAME_CHARS = _NAME_START + "0123456789"


class _Lexer:
    def __init__(self, text: str, env: Mapping[str, str], escape: str) -> None:
        self.text = text
        self.env = env
        self.escape = escape
        self.position = 0

    def _peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def _take(self) -> str:
        char = self._peek()
        self.position += 1
        return char

    def words(self, split: bool) -> list[str]:
        """The text's words (one word when not ``split``), substituted and unquoted."""
        words: list[str] = []
        current: list[str] = []
        started = False
        while self.position < len(self.text):
            char = self._take()
            if split and char in " \t\n":
                if started:
                    words.append("".join(current))
                current, started = [], False
                continue
            started = True
            if char == self.escape:
                current.append(self._take())
            elif char == "'":
                end = self.text.find("'", self.position)
                end = len(self.text) if end < 0 else end
                current.append(self.text[self.position : end])
                self.position = end + 1
            elif char == '"':
                current.append(self._double_quoted())
            elif char == "$":
                current.append(self._variable())
            else:
                current.append(char)
        if started or not split:
            words.append("".join(current))
        return words

    def _double_quoted(self) -> str:
        out = []
        while self.position < len(self.text):
            char = self._take()
            if char == '"':
                break
            if char == self.escape and self._peek() in ('"', "$", self.escape):
                out.append(self._take())
            elif char == "$":
                out.append(self._variable())
            else:
                out.append(char)
        return "".join(out)

    def _name(self) -> str:
        start = self.position
        if self._peek() and self._peek() in _NAME_START:
            while self._peek() and self._peek() in _NAME_CHARS:
                self.position += 1
        return self.text[start : self.position]

    def _variable(self) -> str:
        if self._peek() != "{":
            name = self._name()
            return self.env.get(name, "") if name else "$"
        self.position += 1
        name = self._name()
        operator = ""
        if self._peek() == ":":
            operator = self._take()
        if self._peek() in ("-", "+", "?"):
            operator += self._take()
        word = self._until_brace() if operator else ""
        if not operator and self._peek() == "}":
            self.position += 1
        value = self.env.get(name)
        if operator in (":-", "-"):
            unset = value is None or (operator == ":-" and value == "")
            return word if unset else value or ""
        if operator in (":+", "+"):
            is_set = value is not None and (operator == "+" or value != "")
            return word if is_set else ""
        return value or ""

    def _until_brace(self) -> str:
        """The word of ``${NAME:-word}``, substituted, up to the matching brace."""
        out = []
        while self.position < len(self.text):
            char = self._take()
            if char == "}":
                break
            if char == self.escape:
                out.append(self._take())
            elif char == "$":
                out.append(self._variable())
            elif char == "'":
                end = self.text.find("'", self.position)
                end = len(self.text) if end < 0 else end
                out.append(self.text[self.position : end])
                self.position = end + 1
            elif char == '"':
                out.append(self._double_quoted())
            else:
                out.append(char)
        return "".join(out)


def expand(text: str, env: Mapping[str, str], escape: str = "\\") -> str:
    """``text`` as one word, with variables substituted and quotes removed."""
    return _Lexer(text, env, escape).words(split=False)[0]


def split(text: str, env: Mapping[str, str], escape: str = "\\") -> list[str]:
    """``text`` split into words at unquoted blanks, each substituted and unquoted."""
    return _Lexer(text, env, escape).words(split=True)
