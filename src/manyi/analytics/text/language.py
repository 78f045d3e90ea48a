"""Detect the language of a piece of customer text from its scripts (no model needed).

Returns one of ``zh-Hans`` (Simplified Chinese), ``zh-Hant`` (Traditional Chinese), ``en``,
``mixed`` (Chinese and English, the smaller side at least 30 % of the words) or ``other``
(empty text, other scripts such as Japanese kana, Cyrillic, Arabic, or no letters at all).
A Chinese text is Traditional when OpenCC's ``t2s`` conversion changes at least one character.
"""

from __future__ import annotations

import re

from manyi.analytics.text.normalize import to_simplified

__all__ = ["LANGUAGES", "detect_language"]

LANGUAGES = ("zh-Hans", "zh-Hant", "en", "mixed", "other")

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:'[A-Za-z]+)?")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af\u1100-\u11ff]")
_OTHER_LETTER = re.compile(r"[\u0370-\u03ff\u0400-\u052f\u0590-\u06ff\u0900-\u0dff\u0e00-\u0eff]")
_MIXED_SHARE = 0.3


def _han_chars(text: str) -> str:
    """Return only the CJK ideographs of `text`."""
    return "".join(_HAN.findall(text))


def detect_language(text: str) -> str:
    """Return the language code of `text`.

    Parameters
    ----------
    text : str
        Raw or normalised text.

    Returns
    -------
    str
        One of ``LANGUAGES``.

    Examples
    --------
    >>> detect_language("物流很快，包装也好")
    'zh-Hans'
    >>> detect_language("物流很快，包裝也好")
    'zh-Hant'
    >>> detect_language("not bad at all")
    'en'
    """
    if not isinstance(text, str) or not text.strip():
        return "other"
    han = _han_chars(text)
    n_latin = len(_LATIN_WORD.findall(text))
    n_han = len(han)
    n_foreign = len(_KANA_HANGUL.findall(text)) + len(_OTHER_LETTER.findall(text))
    if n_foreign > n_han + n_latin:
        return "other"
    if _KANA_HANGUL.search(text) and n_foreign * 5 >= n_han:
        return "other"  # Japanese or Korean text also contains ideographs
    if n_han == 0 and n_latin == 0:
        return "other"
    total = n_han + n_latin
    if min(n_han, n_latin) >= _MIXED_SHARE * total:
        return "mixed"
    if n_latin > n_han:
        return "en"
    return "zh-Hant" if to_simplified(han) != han else "zh-Hans"
