"""Hot words wherever a template wants them: {% load hotwords_tags %} then one tag, no view changes."""
from django import template

from petitions.hotwords import selectors

register = template.Library()


@register.inclusion_tag("petitions/_hot_words.html")
def public_hot_words(limit=15):
    return {"words": selectors.public_hot_words(limit=limit)}


@register.inclusion_tag("hotwords/_dashboard_slot.html")
def dashboard_hot_words():
    """A slot the dashboard fills after loading (htmx): the queue page itself runs no query for it."""
    return {}


@register.inclusion_tag("hotwords/_report.html")
def report_hot_words():
    return {"data": selectors.report_hot_words(), "groups": selectors.similar_groups(limit=10)}
