"""Find and mask personal data in free text: phones, e-mails, ID numbers, bank cards, names.

Chinese resident ID numbers are checked with the GB 11643-1999 checksum and bank cards with
the Luhn checksum, so random digit runs (order numbers, tracking codes) are not reported as
IDs or cards. Masking keeps a hint (``138****8000``, ``z***@example.com``) so staff can still
tell two customers apart.

Examples
--------
>>> mask_pii("call me on 13800138000 or mail zhang@example.com")
'call me on 138****8000 or mail z***@example.com'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import overload

__all__ = [
    "PiiMatch",
    "find_pii",
    "is_valid_id_number",
    "luhn_valid",
    "mask_email",
    "mask_name",
    "mask_phone",
    "mask_pii",
]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}-)\s?\d{7,8}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤欧诸葛司上官"
)
_ZH_NAME = re.compile(
    rf"(?:我叫|我是|本人|联系人[:：]?\s*|姓名[:：]?\s*|收件人[:：]?\s*)([{_SURNAMES}][\u4e00-\u9fff]{{1,2}})"
    rf"|(?:我姓|姓)([{_SURNAMES}])(?=先生|女士|小姐|[，,。\s]|$)"
)
_ZH_NAME_STOP = set("的了是在先生女士小姐")
_EN_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
    r"|\b(?:[Mm]y name is|[Tt]his is|I am|I'm)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
)
_EN_NOT_NAMES = frozenset(
    {"The", "A", "An", "So", "Very", "Not", "Just", "Really", "Still", "Here", "Happy", "Sorry"}
)


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One piece of personal data found in a text.

    Attributes
    ----------
    kind : {"mobile", "landline", "email", "id_number", "bank_card", "name"}
    start, end : character offsets of the match in the original text
    text : the matched text
    masked : the replacement that keeps a hint
    """

    kind: str
    start: int
    end: int
    text: str
    masked: str


def is_valid_id_number(value: str) -> bool:
    """Return whether an 18-character resident ID number has a valid GB 11643 check character."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def luhn_valid(digits: str) -> bool:
    """Return whether a digit string passes the Luhn (mod 10) check used by bank cards."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask_phone(value: str) -> str:
    """Mask a phone number keeping any country prefix, the first three and the last four digits."""
    digits = re.sub(r"\D", "", value)
    prefix = ""
    if value.strip().startswith("+86") or value.strip().startswith("0086"):
        prefix = "+86 "
        digits = digits[2:] if digits.startswith("86") else digits[4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) < 8:
        return prefix + "*" * (len(digits) - 2) + digits[-2:]
    return prefix + digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_email(value: str) -> str:
    """Mask an e-mail address keeping the first character of the local part and the domain."""
    local, sep, domain = value.partition("@")
    if not sep:
        return "*" * len(value)
    return (local[:1] or "*") + "***@" + domain


def _mask_landline(value: str) -> str:
    """Keep the area code and the last two digits of a landline number."""
    m = re.match(r"\s*([(（]?0\d{2,3}[)）]?-?)\s?(\d+)", value)
    if not m:
        return mask_phone(value)
    number = m.group(2)
    return m.group(1) + "*" * (len(number) - 2) + number[-2:]


def _mask_id(value: str) -> str:
    """Keep the first three and last four characters of an ID number."""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def _mask_card(value: str) -> str:
    """Keep only the last four digits of a bank card number."""
    digits = re.sub(r"\D", "", value)
    return "*" * (len(digits) - 4) + digits[-4:]


@overload
def mask_name(name: str) -> str: ...
@overload
def mask_name(name: None) -> None: ...
def mask_name(name: str | None) -> str | None:
    """Mask a personal name: keep its first character and add exactly two stars.

    The one rule for every name shown to staff without PII access, and for names found in
    free text. Surrounding whitespace is ignored; ``None`` and ``""`` are returned unchanged
    (a blank name becomes ``""``); a one-character name becomes ``"*"``. The mask never
    reveals the length: ``"张三"`` and ``"欧阳娜娜"`` give ``"张**"`` and ``"欧**"``, and
    ``"Alice"`` and ``"Alice Smith"`` both give ``"A**"``.
    """
    if not name:
        return name
    name = name.strip()
    if len(name) <= 1:
        return "*" if name else ""
    return name[0] + "**"


def _candidates(text: str) -> list[PiiMatch]:
    """All PII candidates in priority order (earlier kinds win overlaps)."""
    found: list[PiiMatch] = []
    for m in _EMAIL.finditer(text):
        found.append(PiiMatch("email", m.start(), m.end(), m.group(), mask_email(m.group())))
    for m in _ID_NUMBER.finditer(text):
        if is_valid_id_number(m.group()):
            found.append(PiiMatch("id_number", m.start(), m.end(), m.group(), _mask_id(m.group())))
    for m in _MOBILE.finditer(text):
        found.append(PiiMatch("mobile", m.start(), m.end(), m.group(), mask_phone(m.group())))
    for m in _LANDLINE.finditer(text):
        found.append(PiiMatch("landline", m.start(), m.end(), m.group(), _mask_landline(m.group())))
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            found.append(PiiMatch("bank_card", m.start(), m.end(), m.group(), _mask_card(digits)))
    found.extend(_names(text))
    return found


def _names(text: str) -> list[PiiMatch]:
    """Personal names that follow an explicit cue (我叫, 姓, 联系人, Mr., my name is)."""
    out: list[PiiMatch] = []
    for m in _ZH_NAME.finditer(text):
        idx = 1 if m.group(1) else 2
        name = m.group(idx)
        while len(name) > 1 and name[-1] in _ZH_NAME_STOP:
            name = name[:-1]
        if idx == 1 and len(name) < 2:
            continue
        start = m.start(idx)
        out.append(PiiMatch("name", start, start + len(name), name, mask_name(name)))
    for m in _EN_NAME.finditer(text):
        idx = 1 if m.group(1) else 2
        name = m.group(idx)
        if name.split()[0] in _EN_NOT_NAMES:
            continue
        out.append(PiiMatch("name", m.start(idx), m.end(idx), name, mask_name(name)))
    return out


def find_pii(text: str) -> list[PiiMatch]:
    """Find personal data in ``text``, non-overlapping and sorted by position.

    Parameters
    ----------
    text : str
        Any text; non-strings raise ``ValueError``.

    Returns
    -------
    list of PiiMatch
    """
    if not isinstance(text, str):
        raise ValueError(f"text: expected str, got {type(text).__name__}")
    if not text or (not any(ch.isdigit() or ch == "@" for ch in text) and not _might_name(text)):
        return []
    taken: list[PiiMatch] = []
    for cand in _candidates(text):
        if all(cand.end <= t.start or cand.start >= t.end for t in taken):
            taken.append(cand)
    return sorted(taken, key=lambda p: p.start)


def _might_name(text: str) -> bool:
    """Cheap pre-check: does the text contain any name cue at all."""
    return any(cue in text for cue in ("我叫", "我是", "本人", "姓", "联系人", "收件人")) or bool(
        re.search(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\b|name is|[Tt]his is|I am|I'm", text)
    )


def mask_pii(text: str) -> str:
    """Return ``text`` with every piece of personal data replaced by its masked form."""
    matches = find_pii(text)
    if not matches:
        return text
    parts: list[str] = []
    pos = 0
    for m in matches:
        parts.append(text[pos : m.start])
        parts.append(m.masked)
        pos = m.end
    parts.append(text[pos:])
    return "".join(parts)
