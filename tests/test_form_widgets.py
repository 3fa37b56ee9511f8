"""The project's select.html (templates/django/forms/widgets/) writes each option in place instead of including
Django's select_option.html per option, for speed (BENCHMARKS.md: the petition page). What a user's browser gets
must stay exactly Django's markup."""
from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting

CHOICES = [("", "---------"), (1, "聊城市 <东昌府区>"), (2, 'Say "hi" & go'), ("3", "三")]
GROUPED = [("县区", [(1, "东阿县"), (2, "阳谷县")]), ("other", [(3, "其他")])]


class Choices(forms.Form):
    one = forms.ChoiceField(choices=CHOICES, widget=forms.Select(attrs={"class": "wide", "data-x": "y"}))
    many = forms.MultipleChoiceField(choices=CHOICES[1:])
    grouped = forms.ChoiceField(choices=GROUPED, required=False)
    yes_no = forms.NullBooleanField()


class OwnOptionSelect(forms.Select):
    option_template_name = "django/forms/widgets/radio_option.html"  # any other option template


def rendered(renderer, data):
    form = Choices(data, renderer=renderer)
    return [str(form[name]) for name in ("one", "many", "grouped", "yes_no")]


def test_the_projects_select_renders_djangos_markup_for_every_choice_and_selection():
    for data in ({}, {"one": "2", "many": ["1", "3"], "grouped": "2", "yes_no": "true"}, {"one": "", "many": []}):
        assert rendered(TemplatesSetting(), data) == rendered(DjangoTemplates(), data)


def test_an_option_of_another_template_is_still_included():
    widget = OwnOptionSelect(choices=[(1, "a"), (2, "b")])
    assert widget.render("x", 2, renderer=TemplatesSetting()) == widget.render("x", 2, renderer=DjangoTemplates())
    assert "<label><input" in widget.render("x", 2, renderer=TemplatesSetting())  # its own template's markup


def test_the_portal_renders_its_forms_with_the_projects_templates(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), TemplatesSetting)
    html = forms.Select(choices=[(1, "a")]).render("x", 1)
    assert html == forms.Select(choices=[(1, "a")]).render("x", 1, renderer=DjangoTemplates())
