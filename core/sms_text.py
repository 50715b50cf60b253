"""The text of an SMS: GSM 03.38 (GSM-7) or UCS-2, its segments, a cap on their number.

An SMS carries 160 GSM-7 characters (septets), or 70 UCS-2 characters (UTF-16 code units);
a longer message is sent in segments of 153 septets or 67 code units (each carries a header
that joins them), billed one by one. GSM-7 has é è ù ì ò à É Ç Ä Ö Ñ Ü ä ö ñ ü, not ê â î ô û
ç ë ï œ, nor the typographic apostrophe or guillemets; `€ [ ] { } \\ ^ ~ |` take two
septets (an escape, then the character), and a pair is never split between two segments.

`prepare` replaces the characters French text uses that GSM-7 lacks by their closest GSM-7
spelling (`SMS_TRANSLITERATE`, on by default: « l’opération » → "l'operation"); whatever is
still outside GSM-7 (a name in another script, an emoji) sends the message as UCS-2, intact.
Beyond `SMS_MAX_SEGMENTS` the text is cut at a word, with "...". The membership test is the
GSM 03.38 codec of the `gsm0338` package.
"""

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM7 = "GSM7"
UCS2 = "UCS2"
SINGLE = {GSM7: 160, UCS2: 70}
MULTI = {GSM7: 153, UCS2: 67}
ELLIPSIS = "..."

# French typography and letters GSM-7 lacks, and their GSM-7 spelling.
TRANSLITERATION = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
    "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u2026": "...", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "\u0153": "oe", "\u0152": "OE", "\u00e7": "c", "\u00b7": ".", "\u2022": "-",
}  # fmt: skip


@lru_cache(maxsize=512)
def septets(char: str) -> int:
    """How many septets `char` takes in GSM-7 (1, or 2 for the extension table); 0 when it
    has no GSM-7 form."""
    try:
        return len(char.encode("gsm03.38"))
    except UnicodeEncodeError:
        return 0


def is_gsm7(text: str) -> bool:
    return all(septets(char) for char in text)


def transliterate(text: str) -> str:
    """GSM-7 spellings for what French text uses and GSM-7 lacks; other characters stay."""
    out = []
    for char in text:
        if septets(char):
            out.append(char)
        elif char in TRANSLITERATION:
            out.append(TRANSLITERATION[char])
        else:
            # ê → e, Â → A, ï → i: the letter without its accent, when that is GSM-7.
            base = "".join(
                c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
            )
            out.append(base if base and is_gsm7(base) else char)
    return "".join(out)


def _units(text: str, encoding: str) -> list[int]:
    """The size of each character in the encoding's units (septets or UTF-16 code units)."""
    if encoding == GSM7:
        return [septets(char) for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def segment_count(text: str, encoding: str) -> int:
    units = _units(text, encoding)
    if sum(units) <= SINGLE[encoding]:
        return 1 if text else 0
    segments, used = 1, 0
    for size in units:  # a two-unit character is never split between segments
        if used + size > MULTI[encoding]:
            segments, used = segments + 1, 0
        used += size
    return segments


def _fits(text: str, encoding: str, max_segments: int) -> bool:
    return segment_count(text, encoding) <= max_segments


def truncate(text: str, encoding: str, max_segments: int) -> str:
    """The longest start of `text`, cut at a space where possible, plus "...", that fits."""
    if _fits(text, encoding, max_segments):
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if _fits(text[:middle].rstrip() + ELLIPSIS, encoding, max_segments):
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    space = cut.rfind(" ")
    if space > low // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


@dataclass(frozen=True)
class SmsText:
    text: str
    encoding: str
    segments: int
    truncated: bool


def prepare(body: str, *, max_segments: int, transliterate_text: bool = True) -> SmsText:
    """The text to send, its encoding and segments, cut to `max_segments` at most."""
    text = transliterate(body) if transliterate_text else body
    encoding = GSM7
    if not is_gsm7(text):  # UCS-2 carries the text as written, accents and all
        text, encoding = body, UCS2
    cut = truncate(text, encoding, max_segments)
    return SmsText(cut, encoding, segment_count(cut, encoding), truncated=cut != text)
