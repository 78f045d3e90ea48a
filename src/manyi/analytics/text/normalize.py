"""Normalise customer text before analysis (callers keep the original for display).

Steps: Unicode NFKC (full-width letters, digits and ASCII punctuation become half-width),
zero-width and control characters removed, typographic apostrophes inside words made ASCII, runs of one punctuation mark squeezed to one,
whitespace collapsed, Traditional Chinese converted to Simplified with OpenCC (``t2s``).
Emoji are kept: the sentiment lexicon scores them as tokens.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

__all__ = ["normalize", "to_simplified"]

# Zero-width, bidi controls, BOM, C0/C1 controls except tab/newline (which become spaces).
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufe0e\ufe0f]"
)
_SPACES = re.compile(r"\s+")
# A typographic apostrophe inside a word (don’t, it’s) becomes ASCII so the word stays one token.
_APOSTROPHE = re.compile(r"(?<=[A-Za-z])[\u2018\u2019\u02bc\u0060\u00b4](?=[A-Za-z])")
# The same punctuation mark three or more... any repetition collapses to one mark.
_REPEATED_PUNCT = re.compile(r"([!?.,;:~。！？，、；：～…—\-=*#])\1+")


@lru_cache(maxsize=1)
def _t2s() -> Any:
    """Build the OpenCC Traditional -> Simplified converter once (it loads dictionaries)."""
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters to Simplified (other scripts unchanged)."""
    return str(_t2s().convert(text))


def normalize(text: str) -> str:
    """Return `text` cleaned for analysis.

    Parameters
    ----------
    text : str
        Raw customer text; ``None``-like or non-string input is treated as empty.

    Returns
    -------
    str
        NFKC-normalised, invisible characters removed, punctuation runs squeezed, whitespace
        collapsed and trimmed, Traditional Chinese converted to Simplified.

    Examples
    --------
    >>> normalize("這個ＡＰＰ　很好用！！！")
    '这个APP 很好用!'
    """
    if not isinstance(text, str) or not text:
        return ""
    out = unicodedata.normalize("NFKC", text)
    out = _INVISIBLE.sub("", out)
    out = _APOSTROPHE.sub("'", out)
    out = _REPEATED_PUNCT.sub(r"\1", out)
    out = _SPACES.sub(" ", out).strip()
    if not out:
        return ""
    return to_simplified(out)
