"""Tracking codes: 10 characters of Crockford base32 (no I, L, O, U), 50 random bits, easy to read out."""
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_tracking_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_tracking_code(raw: str) -> str:
    """What a citizen typed or read out, as stored: full-width characters (a Chinese input method's) as ASCII,
    upper case, no spaces or dashes, I/L→1, O→0."""
    cleaned = "".join(ch for ch in unicodedata.normalize("NFKC", raw or "").upper() if ch.isalnum())
    return cleaned.translate(_READ_AS)


def as_tracking_code(term: str) -> str | None:
    """The tracking code a search term stands for ('ab12c-de34f' -> 'AB12CDE34F'), or None if it has not a code's
    shape (it may still be no petition's code)."""
    code = normalise_tracking_code(term)
    return code if len(code) == LENGTH and set(code) <= set(ALPHABET) else None


def format_tracking_code(code: str) -> str:
    """Shown in two groups of five, 'AB12C-DE34F', so it can be read out."""
    return f"{code[:5]}-{code[5:]}" if len(code) == LENGTH else code
