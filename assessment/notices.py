"""A notification's text in every language of the portal, written once, when it is created.

Notifications are created by whoever triggers them (a liaison agency's clerk, the SLA sweep in a worker,
a representative posting a reply), in that person's or process's language; they are read by someone else,
in theirs. So each text is rendered once per language in settings.LANGUAGES, from a translatable
template (gettext_lazy, or a function that calls gettext) and its parameters.
"""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import translation

MAX_LENGTH = 255  # Notification.text


def in_each_language(render: Callable[[], object]) -> dict[str, object]:
    """{language code: render()} with that language active, for every language of the portal."""
    out = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out[code] = render()
    return out


def every_language(template, params: dict | Callable[[], dict] | None = None) -> dict[str, str]:
    """{language code: text} for `template` (a lazy translatable string, or a callable returning one) with
    `params` (a dict, or a callable returning one, rendered in each language too: a stage's label)."""
    def render() -> str:
        text = str(template() if callable(template) else template)
        values = params() if callable(params) else params
        return (text % values if values else text)[:MAX_LENGTH]

    return in_each_language(render)


def default_text(texts: dict[str, str]) -> str:
    return texts.get(settings.LANGUAGE_CODE) or next(iter(texts.values()), "")
