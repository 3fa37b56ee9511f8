"""Printable A4 posters of a studio's QR code, as SVG and PNG, one at a time or a county's in one zip.

One layout (in millimetres) drawn by two renderers: SVG leaves the fonts to the viewer or printer;
PNG draws the text itself and needs a font with Chinese glyphs on this machine (`find_cjk_font()`:
the POSTER_FONT setting, else a list of known system paths; Debian: the fonts-noto-cjk package).
Text is in the language active when the poster is made (Chinese by default).
"""
from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

import segno
from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

# --- geometry ---------------------------------------------------------------------------------
PAGE_W, PAGE_H = 210.0, 297.0  # A4, millimetres
PNG_DPI = 150
PX_PER_MM = PNG_DPI / 25.4  # 1240 x 1754 pixels
MARGIN = 15.0
BRAND, INK, MUTED, WHITE = "#b3261e", "#1f2328", "#57606a", "#ffffff"
SVG_FONTS = ("'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',"
             "'Hiragino Sans GB',sans-serif")

# (regular, bold) font files, most wanted first. A .ttc holds several faces: the Simplified Chinese one is picked.
FONT_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian/Ubuntu: fonts-noto-cjk
     "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"),  # Arch
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora
     "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"),
    # fonts-wqy-microhei, fonts-wqy-zenhei: one face for regular and bold
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", "/usr/share/fonts/truetype/arphic/uming.ttc"),  # fonts-arphic-uming
    ("/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/PingFang.ttc"),  # macOS
    ("C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyhbd.ttc"),  # Windows
)


class PosterFontMissing(RuntimeError):
    """No font with Chinese glyphs: PNG posters cannot be drawn (SVG posters still can)."""

    def __init__(self, looked_in: Iterable[str]):
        self.looked_in = list(looked_in)
        super().__init__(
            "No font with Chinese characters was found for PNG posters. Install the Debian package "
            "fonts-noto-cjk (or fonts-wqy-microhei), or set POSTER_FONT to a .ttc/.otf/.ttf file. Looked in: "
            + ", ".join(self.looked_in))


@dataclass(frozen=True)
class FontFiles:
    regular: str
    bold: str


def find_cjk_font() -> FontFiles:
    """The font files PNG posters are drawn with, or PosterFontMissing naming every place looked in."""
    configured = getattr(settings, "POSTER_FONT", "")
    candidates = ([(configured, configured)] if configured else []) + list(FONT_CANDIDATES)
    for regular, bold in candidates:
        if Path(regular).is_file():
            return FontFiles(regular, bold if Path(bold).is_file() else regular)
    raise PosterFontMissing(path for pair in candidates for path in dict.fromkeys(pair))


@lru_cache(maxsize=16)
def _face_index(path: str) -> int:
    """In a font collection, the face for Simplified Chinese ('... SC'), else the first."""
    for index in range(12):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        if family.endswith(" SC") or " SC " in family:
            return index
    return 0


@lru_cache(maxsize=64)
def _font(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size_px, index=_face_index(path) if path.endswith(".ttc") else 0)


# --- content ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PosterText:
    header: str
    kind: str
    name: str
    details: tuple[str, ...]
    call: str
    explain: str
    url: str
    footer: str


def poster_text(studio, url: str) -> PosterText:
    """What a poster says, in the active language. `studio` needs sector, lead and region loaded."""
    details = [_("Sector: %(sector)s") % {"sector": studio.sector.name}]
    if studio.lead_id:
        details.append(_("Lead representative: %(name)s") % {"name": studio.lead.name})
    place = " · ".join(x for x in (studio.address, studio.phone) if x)
    return PosterText(
        header=_("Party-representative service desk"),
        kind=str(studio.get_kind_display()),
        name=studio.name,
        details=tuple(details),
        call=_("Scan with your phone to send us your request"),
        explain=_("No account needed. We accept it, pass it on, resolve it and answer you, and you rate the "
                  "answer. Follow every step with your tracking code."),
        url=url,
        footer=place or studio.region.name,
    )


# --- layout -----------------------------------------------------------------------------------
Measure = Callable[[str, float, bool], float]  # (text, size in mm, bold) -> width in mm


def estimate_width(text: str, size: float, bold: bool = False) -> float:
    """Without a font: a Chinese character is 1 em wide, others about 0.56 em (bold a little wider)."""
    em = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.56 for ch in text)
    return em * size * (1.04 if bold else 1.0)


def wrap(text: str, width: float, size: float, bold: bool, measure: Measure, max_lines: int = 3) -> list[str]:
    """Break between any two Chinese characters or at spaces; the last line ends with … if cut."""
    tokens, word = [], ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF" or ch == " ":
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    lines, line = [], ""
    for token in tokens:
        candidate = line + token
        if line and measure(candidate.strip(), size, bold) > width:
            lines.append(line.strip())
            line = token.lstrip()
        else:
            line = candidate
    if line.strip():
        lines.append(line.strip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and measure(last + "…", size, bold) > width:
            last = last[:-1]
        lines = lines[: max_lines - 1] + [last + "…"]
    return lines


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    size: float
    text: str
    fill: str = INK
    bold: bool = False
    anchor: str = "middle"


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class QR:
    x: float
    y: float
    size: float  # including the quiet zone
    matrix: tuple


def qr_matrix(url: str) -> tuple:
    """The QR code's modules, rows of 0/1, with a quiet zone of 4 modules around."""
    code = segno.make(url, error="m", micro=False)
    return tuple(tuple(1 if dark else 0 for dark in row) for row in code.matrix_iter(scale=1, border=4))


def layout(text: PosterText, measure: Measure) -> list:
    """The poster as boxes, texts and the QR code, in millimetres on an A4 page."""
    cx, width = PAGE_W / 2, PAGE_W - 2 * MARGIN
    items: list = [Box(0, 0, PAGE_W, 40, BRAND),
                   Text(cx, 18, 8.5, text.header, WHITE, True),
                   Text(cx, 31, 5.5, text.kind, WHITE)]
    y = 40 + 18
    for line in wrap(text.name, width, 11, True, measure, max_lines=3):
        items.append(Text(cx, y, 11, line, INK, True))
        y += 14
    y += 1
    for detail in text.details:
        for line in wrap(detail, width, 6, False, measure, max_lines=2):
            items.append(Text(cx, y, 6, line, MUTED))
            y += 8.5
    call = wrap(text.call, width, 8, True, measure, max_lines=2)
    explain = wrap(text.explain, width, 5, False, measure, max_lines=4)
    # What goes below the code, from the bottom up: footer, URL, explanation, call to action.
    below = 10 * len(call) + 7 * len(explain) + 8 + 8 + 14
    qr_size = max(60.0, min(140.0, PAGE_H - y - below - 2))
    items.append(QR(cx - qr_size / 2, y - 2, qr_size, qr_matrix(text.url)))
    y += qr_size + 8
    for line in call:
        items.append(Text(cx, y, 8, line, BRAND, True))
        y += 10
    for line in explain:
        items.append(Text(cx, y, 5, line, INK))
        y += 7
    items.append(Text(cx, y + 2, 4.2, text.url, MUTED))
    items.append(Box(MARGIN, PAGE_H - 16, width, 0.4, BRAND))
    items.append(Text(cx, PAGE_H - 8, 4.6, wrap(text.footer, width, 4.6, False, measure, 1)[0] if text.footer else "",
                      MUTED))
    return items


# --- SVG --------------------------------------------------------------------------------------
def _qr_path(matrix: tuple) -> str:
    """One path: each horizontal run of dark modules is one rectangle."""
    parts = []
    for y, row in enumerate(matrix):
        x, n = 0, len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                parts.append(f"M{start},{y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return "".join(parts)


def poster_svg(studio, url: str) -> bytes:
    items = layout(poster_text(studio, url), estimate_width)
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
           f'width="{PAGE_W:g}mm" height="{PAGE_H:g}mm" viewBox="0 0 {PAGE_W:g} {PAGE_H:g}" '
           f'font-family="{escape(SVG_FONTS)}">',
           f"<title>{escape(studio.name)}</title>",
           f'<rect width="{PAGE_W:g}" height="{PAGE_H:g}" fill="{WHITE}"/>']
    for item in items:
        if isinstance(item, Box):
            out.append(f'<rect x="{item.x:g}" y="{item.y:g}" width="{item.w:g}" height="{item.h:g}" '
                       f'fill="{item.fill}"/>')
        elif isinstance(item, Text) and item.text:
            weight = ' font-weight="700"' if item.bold else ""
            out.append(f'<text x="{item.x:g}" y="{item.y:g}" font-size="{item.size:g}" fill="{item.fill}" '
                       f'text-anchor="{item.anchor}"{weight}>{escape(item.text)}</text>')
        elif isinstance(item, QR):
            n = len(item.matrix)
            scale = item.size / n
            out.append(f'<g transform="translate({item.x:.3f} {item.y:.3f}) scale({scale:.5f})">'
                       f'<rect width="{n}" height="{n}" fill="{WHITE}"/>'
                       f'<path fill="{INK}" shape-rendering="crispEdges" d="{_qr_path(item.matrix)}"/></g>')
    out.append("</svg>\n")
    return "\n".join(out).encode()


# --- PNG --------------------------------------------------------------------------------------
def poster_png(studio, url: str) -> bytes:
    fonts = find_cjk_font()

    def font(size_mm: float, bold: bool):
        return _font(fonts.bold if bold else fonts.regular, max(8, round(size_mm * PX_PER_MM)))

    def measure(text: str, size: float, bold: bool) -> float:
        return font(size, bold).getlength(text) / PX_PER_MM

    items = layout(poster_text(studio, url), measure)
    width_px, height_px = round(PAGE_W * PX_PER_MM), round(PAGE_H * PX_PER_MM)
    image = Image.new("RGB", (width_px, height_px), WHITE)
    draw = ImageDraw.Draw(image)
    for item in items:
        if isinstance(item, Box):
            draw.rectangle([round(item.x * PX_PER_MM), round(item.y * PX_PER_MM),
                            round((item.x + item.w) * PX_PER_MM) - 1, round((item.y + item.h) * PX_PER_MM) - 1],
                           fill=item.fill)
        elif isinstance(item, Text) and item.text:
            anchor = {"middle": "ms", "start": "ls", "end": "rs"}[item.anchor]
            draw.text((item.x * PX_PER_MM, item.y * PX_PER_MM), item.text, fill=item.fill,
                      font=font(item.size, item.bold), anchor=anchor)
        elif isinstance(item, QR):
            n = len(item.matrix)
            module = max(1, int(item.size * PX_PER_MM) // n)  # whole pixels per module: sharp edges
            code = Image.new("L", (n, n))
            code.putdata([0 if dark else 255 for row in item.matrix for dark in row])
            code = code.resize((n * module, n * module), Image.Resampling.NEAREST)
            left = round((item.x + item.size / 2) * PX_PER_MM - n * module / 2)
            image.paste(code, (left, round(item.y * PX_PER_MM)))
    # Flat colours and anti-aliased text fit a 64-colour palette: a third faster to encode, 60% smaller.
    image = image.quantize(64, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(PNG_DPI, PNG_DPI), compress_level=6)
    return out.getvalue()


# --- zip --------------------------------------------------------------------------------------
class _Chunks(io.RawIOBase):
    """A write-only, unseekable file that hands back what was written since the last take()."""

    def __init__(self):
        super().__init__()
        self._parts: list[bytes] = []

    def writable(self):
        return True

    def write(self, data):
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def posters_zip(studios: Iterable, url_for: Callable[[object], str], *, png: bool = True) -> Iterator[bytes]:
    """A zip of every studio's SVG (and PNG) poster, produced poster by poster for a streamed response.

    Entries are named by the studio's code (ASCII: no mojibake in old unzip tools). PNGs are stored
    as they are (already compressed); SVGs are deflated.
    """
    sink = _Chunks()
    with zipfile.ZipFile(sink, mode="w") as archive:
        for studio in studios:
            url = url_for(studio)
            archive.writestr(f"{studio.code}.svg", poster_svg(studio, url), compress_type=zipfile.ZIP_DEFLATED)
            if png:
                archive.writestr(f"{studio.code}.png", poster_png(studio, url), compress_type=zipfile.ZIP_STORED)
            yield sink.take()
    yield sink.take()


@lru_cache(maxsize=1024)
def qr_svg_inline(url: str, title: str = "") -> str:
    """The QR code as an inline <svg> for a page (sized by CSS), e.g. on the studio's own page."""
    return segno.make(url, error="m", micro=False).svg_inline(
        scale=1, border=4, dark=INK, light=WHITE, omitsize=True, svgclass="qr-code", title=title or None)
