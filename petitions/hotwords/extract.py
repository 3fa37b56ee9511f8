"""Terms of one petition's text, for hot words. Pure: no ORM, no settings.

What a term is here: a word of the segmenter's dictionary (jieba's own, the shipped
hotwords_userdict.txt, the routing dictionary and staff's additions), two to twelve Chinese
characters, not a stop word, not a place and not part of a firm's name. Segmenting without jieba's HMM
means characters the dictionary does not know come out one by one and are dropped, which is what keeps
personal names (which the HMM would glue into new "words") out; the citizen's own name is also cut from
the text before segmenting, and digits, Latin letters, emoji and HTML never reach the segmenter.
"""
from __future__ import annotations

import hashlib
import html
import logging
import re
from pathlib import Path
from typing import Iterable

import jieba
import rjieba

jieba.setLogLevel(logging.WARNING)

DATA = Path(__file__).resolve().parent.parent / "data"
USERDICT_FILE = DATA / "hotwords_userdict.txt"
STOPWORDS_FILE = DATA / "stopwords.txt"

MAX_CHARS = 4000  # a longer text is cut: its first 4,000 characters say what it is about
MAX_TERMS = 40  # distinct terms kept per petition
MIN_LEN, MAX_LEN = 2, 12
_USER_WORD_FREQ = 200_000

_MEMO_MAX = 500_000  # distinct tokens remembered per extractor (jieba's dictionary has about 350,000 words)
_UNSEEN = object()

_TAG = re.compile(r"<[^>]{0,500}>")
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]+$")


def read_list_text(text: str) -> list[str]:
    """Terms of a shipped list: the first field of each line, comments and blank lines skipped."""
    terms = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            terms.append(line.split()[0])
    return terms


def read_list(path: Path) -> list[str]:
    return read_list_text(Path(path).read_text(encoding="utf-8"))


PLACES_HEADING = "# Local place names"  # in hotwords_userdict.txt: the domain terms are the ones above it


def domain_terms() -> list[str]:
    """The shipped dictionary's domain terms (玉米倒伏, 强村贷, 暖气不热), without its place names."""
    return read_list_text(USERDICT_FILE.read_text(encoding="utf-8").split(PLACES_HEADING, 1)[0])


def shipped_place_names() -> list[str]:
    """The shipped dictionary's place names: Liaocheng's own and the provinces and cities citizens mention."""
    parts = USERDICT_FILE.read_text(encoding="utf-8").split(PLACES_HEADING, 1)
    return read_list_text(PLACES_HEADING + parts[1]) if len(parts) == 2 else []


def shipped_lists_stamp() -> str:
    """A fingerprint of the shipped stop list and dictionary: a deploy that changes them must extract again."""
    digest = hashlib.sha1()
    for path in (STOPWORDS_FILE, USERDICT_FILE):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def clean_text(text: str, *, name: str = "") -> str:
    """Only the Chinese runs of the text, HTML and the citizen's own name removed, at most MAX_CHARS."""
    text = (text or "")[: MAX_CHARS * 4]
    if "<" in text or "&" in text:
        text = html.unescape(_TAG.sub(" ", text))
    name = (name or "").strip()
    if len(name) >= 2:
        text = text.replace(name, " ")
    # Everything that is not a Chinese character (digits, phone numbers, Latin, emoji, punctuation)
    # becomes a break, so terms never straddle it.
    return _NOT_CJK.sub(" ", text).strip()[:MAX_CHARS]


_names_cache: list[frozenset] = []
# jieba parts of speech that never carry an issue: adverbs, numerals and measure words, pronouns,
# conjunctions, prepositions, particles, interjections, onomatopoeia, locality and time words.
DROP_TAGS = ("d", "m", "q", "r", "c", "p", "u", "e", "y", "o", "f", "t", "z")
# A place is where a petition comes from, not what it is about (the county or township is already the
# scope): places are kept whole by the segmenter (hotwords_userdict.txt, the region tree) but are not terms.
_PLACE = re.compile(r"^[\u4e00-\u9fff]{1,8}(镇|乡|街道|村|社区|县|区|市|省)$")
# A place is also written without its suffix (高唐, 梁村, 琉璃庙). Not for communities: their stems are
# everyday words (建设社区, 幸福社区, 花园社区).
_PLACE_STEM = re.compile(r"^([\u4e00-\u9fff]{2,8}?)(街道|镇|乡|村|县|区|市|省)$")
# Which firm or institution a citizen works for or complains about says nothing of the matter, and brand
# names (宏远, 嘉禾) are ordinary words to the segmenter. A token ending in one of these closes such a name,
# and the few tokens just before it (brand and trade: 宏远 轴承 有限公司, 华达 新 材料 有限公司) belong to it.
# Going back, the name ends at a word that is no term (a stop word, a place) or at one of these characters;
# single characters the dictionary does not know (鑫 源) and the stop words firms put in their names do not.
# A word of the dictionaries or of staff (自来水公司, 宏远物流有限公司, 供电公司) is what the firm does, the
# matter itself: it stays a term, and only the one token before it (the brand, 宏远) still belongs to the name.
ORG_ENDINGS = ("公司", "集团", "厂", "大学", "学院")
ORG_TOKENS = 4
_BEFORE_NAME = frozenset("的在是和与及或跟同给到从向对把被让为由于我你他她它这那就都也还又请找打去来说问叫有没")
_IN_NAME = frozenset(("材料", "服务", "管理"))
# The hundred commonest surnames: a dictionary word tagged as a personal name is only treated as one
# when it starts with one of these (jieba also tags words such as 玉米 and 丘陵 "nr").
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常葛")


def _dictionary_names() -> frozenset:
    """Words of jieba's main dictionary tagged as personal names or as parts of speech in DROP_TAGS."""
    _read_dictionary()
    return _names_cache[0]


def _dictionary_places() -> frozenset:
    """Words of jieba's main dictionary tagged as place names (ns)."""
    _read_dictionary()
    return _names_cache[1]


def _read_dictionary() -> None:
    if not _names_cache:
        names, places = set(), set()
        with open(Path(jieba.__file__).resolve().parent / jieba.DEFAULT_DICT_NAME, encoding="utf-8") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) != 3:
                    continue
                if parts[2].startswith("nr") and 2 <= len(parts[0]) <= 4 and parts[0][0] in SURNAMES:
                    names.add(parts[0])
                elif parts[2].startswith(DROP_TAGS):
                    names.add(parts[0])
                elif parts[2] == "ns":
                    places.add(parts[0])
        _names_cache.extend((frozenset(names), frozenset(places)))


class Extractor:
    """Built once per curation state; `terms()` is then pure and cheap."""

    def __init__(self, *, extra_words: Iterable[str] = (), stopwords: Iterable[str] | None = None,
                 merges: dict[str, str] | None = None, places: Iterable[str] = ()):
        """places: names of the region tree (services pass every Region's name), excluded with their stems."""
        self.stopwords = frozenset(read_list(STOPWORDS_FILE) if stopwords is None else stopwords)
        self.merges = dict(merges or {})
        # rjieba (jieba-rs) cuts with the same dictionary and gives the same tokens as jieba, about twenty
        # times faster (bench/bench_hotwords.py); jieba itself only supplies its dictionary's tags below.
        tokenizer = rjieba.Jieba()
        chosen = set(domain_terms()) | {w.strip() for w in extra_words if w and w.strip()}
        chosen |= {w for w in self.merges.values() if w}
        chosen |= set(self.merges)
        place_names = set(shipped_place_names()) | {p.strip() for p in places if p and p.strip()}
        words = chosen | place_names
        for word in words:
            if _CJK_WORD.match(word):
                tokenizer.add_word(word, _USER_WORD_FREQ, None)
        self.tokenizer = tokenizer
        # Words jieba's dictionary tags as personal names (nr, nrfg, nrt) are never terms, unless staff
        # or the shipped dictionary added them on purpose.
        self.names = frozenset(_dictionary_names()) - words
        # A place's name without its suffix (高唐 for 高唐县, 樱桃园 for 樱桃园镇) is excluded too. Not a
        # community's, and a village's only where jieba knows the stem as a place: their stems are often
        # everyday words (建设社区; 水库村, 果园村, 林场村).
        stems = {m.group(1) for m in map(_PLACE_STEM.match, place_names)
                 if m and not m.string.endswith("社区")
                 and (not m.string.endswith("村") or m.group(1) in _dictionary_places())}
        self.places = frozenset(place_names | (stems - chosen)
                                | {w for w in chosen if len(w) >= 3 and _PLACE.match(w)})
        # Staff's and the shipped dictionary's own words that end like a firm's name are meant as terms.
        self.chosen = frozenset(chosen)
        self._memo: dict[str, str | None] = {}  # token -> term_of(token)

    def keep(self, token: str) -> bool:
        return (MIN_LEN <= len(token) <= MAX_LEN and token not in self.stopwords and token not in self.names
                and token not in self.places and bool(_CJK_WORD.match(token))
                and not (len(token) >= 3 and _PLACE.match(token))
                and not (token.endswith(ORG_ENDINGS) and token not in self.chosen))

    def term_of(self, token: str) -> str | None:
        """The term a token counts as (its canonical term when merged), or None when it is no term."""
        if not self.keep(token):
            return None
        term = self.merges.get(token, token)
        return term if self.keep(term) else None

    def terms(self, text: str, *, name: str = "") -> list[str]:
        """The petition's distinct terms in order of first appearance, synonyms merged, at most MAX_TERMS."""
        cleaned = clean_text(text, name=name)
        if not cleaned:
            return []
        # The decision per token is memoised: petitions share a vocabulary of some ten thousand tokens, and
        # deciding each one again (stop words, names, places, two regular expressions) cost more than
        # segmenting the text (bench/bench_hotwords.py).
        memo = self._memo
        if len(memo) > _MEMO_MAX:
            memo.clear()
        tokens = self.tokenizer.cut(cleaned, False)
        decided = []
        for token in tokens:
            term = memo.get(token, _UNSEEN)
            if term is _UNSEEN:
                term = memo[token] = self.term_of(token)
            decided.append(term)
        for i, token in enumerate(tokens):
            if decided[i] is None and token.endswith(ORG_ENDINGS) and token not in self.chosen:
                past_matter = False
                for j in range(i - 1, max(i - 1 - ORG_TOKENS, -1), -1):
                    before = tokens[j]
                    if before in self.chosen and before not in _IN_NAME:
                        if past_matter:
                            break
                        past_matter = True
                        continue
                    if decided[j] is None and not (before in _IN_NAME or len(before) == 1 and
                                                   before not in _BEFORE_NAME and _CJK_WORD.match(before)):
                        break
                    decided[j] = None
                    if past_matter:
                        break
        seen: dict[str, None] = {}
        for term in decided:
            if term is not None and term not in seen:
                seen[term] = None
                if len(seen) >= MAX_TERMS:
                    break
        return list(seen)
