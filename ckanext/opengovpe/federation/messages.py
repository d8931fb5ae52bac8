"""Problems reported to users, kept as English message ids so each front end translates them."""
from __future__ import annotations

from typing import Any, Callable, Optional

from ..translation import N_

__all__ = ["N_", "FederationError"]


class FederationError(Exception):
    """A remote catalogue could not be read or was refused; shown as one clear line.

    ``message`` is an English message id with ``%(name)s`` parameters; ``detail`` is an
    untranslated technical detail (the remote server's words, a library's message).
    """

    def __init__(self, reason: str, message: str, detail: Optional[str] = None,
                 **params: Any) -> None:
        self.reason = reason
        self.message = message
        self.detail = detail
        self.params = params
        super().__init__(self.render())

    def render(self, translate: Callable[[str], str] | None = None) -> str:
        text = translate(self.message) if translate else self.message
        if self.params:
            text = text % self.params
        return f"{text} ({self.detail})" if self.detail else text
