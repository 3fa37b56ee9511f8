"""What a background download can make: a report table (XLSX/CSV) or a county's posters (zip).

Each kind
- cleans what a page sends with the same form and filters the page itself uses (`clean`): bad input
  raises DownloadRefused with messages in the user's language, a user without the right PermissionDenied;
- says whether a user may have the file now (`may_download`), with the rules of the pages
  (assessment/reports/access.py, liaison/access.py), checked again at every download;
- builds the file into a binary file object, reporting progress (`build`), in the job's language.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Callable, Mapping, Protocol
from urllib.parse import urlencode, urlsplit

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from liaison.access import can_print_posters
from offices import posters
from offices.models import Region
from offices.selectors import poster_regions, studios_in_region

from ..models import DownloadJob, Scorecard
from ..reports import selectors as report_selectors
from ..reports.access import can_see_scorecard, is_organisation
from ..reports.export import FORMATS, Table, filename, write_table
from ..reports.filters import parse_filters
from ..scorecards import PETITION_FIGURES


class DownloadRefused(Exception):
    """A download that cannot be made with these parameters; the messages say why, in the user's language."""

    def __init__(self, *messages):
        self.messages = [str(m) for m in messages]
        super().__init__(" ".join(self.messages))


class Progress(Protocol):
    def start(self, total: int | None) -> None: ...

    def advance(self, n: int = 1) -> None: ...


@dataclass(frozen=True)
class Cleaned:
    params: dict
    title: str


# --- report tables ---------------------------------------------------------------------------------

# The tables that grow with the data (one row per studio, representative or petition) are built in the
# background. The grouped tables of the overview, team and position pages (months, weeks, sectors, levels,
# regions, kinds: tens of rows the page has already computed) stay streamed from the page itself.
BACKGROUND_TABLES = {"operation": ("",), "assessment": ("studios", "representatives")}
SCORECARD = "scorecard"
FILTER_FIELDS = ("period", "start", "region", "sector", "level")
SUBJECTS = {"studios": "studio", "representatives": "representative"}


def _form_messages(form) -> list[str]:
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        out.extend(f"{capfirst(label)}: {e}" if label else str(e) for e in errors)
    return out or [_("The filters are not valid; correct them and apply again.")]


def _filters(data: Mapping):
    form, f = parse_filters({k: data[k] for k in FILTER_FIELDS if data.get(k)})
    if f is None:
        raise DownloadRefused(*_form_messages(form))
    return f


def _scorecard(pk) -> Scorecard | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Scorecard.objects.select_related("studio", "representative").filter(pk=pk).first()


def _figures() -> tuple[str, ...]:
    return (*PETITION_FIGURES, "yellow", "red")


class ReportTables:
    def clean(self, *, user, data: Mapping) -> Cleaned:
        report, fmt = data.get("report") or "", data.get("format") or ""
        if report != SCORECARD and report not in BACKGROUND_TABLES:
            raise DownloadRefused(_("Unknown table."))
        if report == SCORECARD:
            card = _scorecard(data.get("card"))
            if card is None:
                raise DownloadRefused(_("Unknown scorecard."))
            if not can_see_scorecard(user, card):
                raise PermissionDenied
        elif not is_organisation(user):
            raise PermissionDenied
        if fmt not in FORMATS:
            raise DownloadRefused(_("Choose XLSX or CSV."))
        if report == SCORECARD:
            figure = data.get("figure") or ""
            if figure not in _figures():
                raise DownloadRefused(_("Unknown figure."))
            label = Scorecard._meta.get_field(figure).verbose_name
            holder = card.representative or card.studio
            return Cleaned({"report": report, "card": card.pk, "figure": figure, "format": fmt},
                           " · ".join([holder.name, str(label), fmt.upper()]))
        table = data.get("table") or ""
        if table not in BACKGROUND_TABLES[report]:
            raise DownloadRefused(_("Unknown table."))
        f = _filters(data)
        parts = [str(_("Operation"))] if report == "operation" else [
            str(_("Assessment")), str(_("Studios") if table == "studios" else _("Representatives")),
            f.start.isoformat()]
        return Cleaned({"report": report, "table": table, "format": fmt, "filters": f.params()},
                       " · ".join([*parts, fmt.upper()]))

    def may_download(self, user, params: dict) -> bool:
        if params.get("report") == SCORECARD:
            card = _scorecard(params.get("card"))
            return card is not None and can_see_scorecard(user, card)
        return is_organisation(user)

    def back_url(self, params: dict) -> str:
        if params.get("report") == SCORECARD:
            return reverse("reports:scorecard_petitions", args=[params["card"], params["figure"]])
        query = urlencode(params.get("filters") or {})
        return reverse(f"reports:{params['report']}") + (f"?{query}" if query else "")

    def table(self, params: dict) -> Table:
        if params["report"] == SCORECARD:
            card = _scorecard(params["card"])
            if card is None:
                raise DownloadRefused(_("Unknown scorecard."))
            qs = report_selectors.scorecard_petitions(card, params["figure"])
            return report_selectors.petitions_table(qs, f"scorecard-{card.pk}-{params['figure']}")
        f = _filters(params["filters"])
        if params["report"] == "operation":
            return report_selectors.operation_table(report_selectors.operation(f, today=timezone.localdate()))
        subject = SUBJECTS[params["table"]]
        return report_selectors.ranking_table(report_selectors.rankings(f, subject), subject)

    def build(self, params: dict, out: BinaryIO, progress: Progress) -> str:
        table = self.table(params)
        progress.start(table.count() if table.count else None)
        write_table(table, params["format"], out, on_row=progress.advance)
        return filename(table, params["format"])


# --- posters ---------------------------------------------------------------------------------------

def _font_message() -> str:
    return _("The PNG posters cannot be drawn on this server: no font with Chinese characters is installed. "
             "Ask the administrator to install the Debian package fonts-noto-cjk or to set POSTER_FONT.")


class PosterZip:
    def clean(self, *, user, data: Mapping) -> Cleaned:
        if not can_print_posters(user):
            raise PermissionDenied
        region = poster_regions().filter(code=data.get("region") or "").first()
        if region is None:
            raise DownloadRefused(_("Choose a county or district."))
        if not studios_in_region(region).exists():
            raise DownloadRefused(_("No active studio in this area."))
        try:
            posters.find_cjk_font()
        except posters.PosterFontMissing:
            raise DownloadRefused(_font_message()) from None
        # The portal's own address, for the QR codes: the view takes it from the request (its host is one of
        # ALLOWED_HOSTS), never from the form.
        base_url = data.get("base_url") or ""
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise DownloadRefused(_("Unknown address of the portal."))
        return Cleaned({"region": region.code, "base_url": base_url.rstrip("/")},
                       _("%(area)s: studio posters (zip)") % {"area": region.name})

    def may_download(self, user, params: dict) -> bool:
        return can_print_posters(user)

    def back_url(self, params: dict) -> str:
        return reverse("offices:posters") + "?" + urlencode({"region": params.get("region", "")})

    def build(self, params: dict, out: BinaryIO, progress: Progress) -> str:
        region = Region.objects.filter(code=params["region"]).first()
        if region is None:
            raise DownloadRefused(_("Choose a county or district."))
        studios = list(studios_in_region(region))
        base = params["base_url"]
        url_for: Callable = lambda studio: base + reverse("petitions:studio", args=[studio.code])  # noqa: E731
        progress.start(len(studios))
        try:
            posters.find_cjk_font()
            # posters_zip yields once per studio (its SVG and PNG are in the archive), then the zip's end.
            for index, chunk in enumerate(posters.posters_zip(studios, url_for)):
                out.write(chunk)
                if index < len(studios):
                    progress.advance()
        except posters.PosterFontMissing:
            raise DownloadRefused(_font_message()) from None
        return f"posters-{region.code}.zip"


KINDS = {DownloadJob.Kind.REPORT: ReportTables(), DownloadJob.Kind.POSTERS: PosterZip()}
