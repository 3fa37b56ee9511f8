"""Masking a citizen's name and phone for everyone but the people handling the petition.

Plain Python: no ORM, no settings. Lists, exports and the admin show `mask_phone(p.citizen_phone)`
and `mask_name(p.citizen_name)`, never the raw values.
"""
import re

MASK = "*"
_SEPARATORS = re.compile(r"[\s\-()]")
_MOBILE = re.compile(r"^1\d{10}$")


def mask_phone(phone: str) -> str:
    """'13812341234' -> '138****1234'; any other number keeps only its last 2 characters.

    Spaces, dashes and brackets are dropped and a +86/0086 country prefix in front of an 11-digit
    number is ignored, so '+86 138-1234-1234' masks like '13812341234'. A value of 2 characters or
    fewer is masked whole: keeping "the last 2" of it would show all of it.
    """
    compact = _SEPARATORS.sub("", phone or "")
    if not compact:
        return ""
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix) and _MOBILE.match(compact[len(prefix):]):
            compact = compact[len(prefix):]
    if len(compact) == 11 and compact.isdigit():
        return f"{compact[:3]}{MASK * 4}{compact[-4:]}"
    if len(compact) <= 2:
        return MASK * len(compact)
    return MASK * (len(compact) - 2) + compact[-2:]


def mask_name(name: str) -> str:
    """'张三丰' -> '张**': the first character, then one * for every other character."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + MASK * (len(name) - 1)
