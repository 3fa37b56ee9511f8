"""Terms of one petition's text, for hot words. Pure: no ORM, no settings.

What a term is here: a word of the segmenter's dictionary (jieba's own, the shipped
hotwords_userdict.txt, the routing dictionary and staff's additions), two to twelve Chinese
characters, not a stop word. Segmenting without jieba's HMM means characters the dictionary does not
know come out one by one and are dropped, which is what keeps personal names (which the HMM would
glue into new "words") out; the citizen's own name is also cut from the text before segmenting, and
digits, Latin letters, emoji and HTML never reach the segmenter.
"""
from __future__ import annotations

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
# A place is where a petition comes from, not what it is about: townships, villages and the like are
# kept whole by the segmenter (hotwords_userdict.txt) but are not terms.
_PLACE = re.compile(r"^[\u4e00-\u9fff]{1,8}(镇|乡|街道|村|社区|县|区|市)$")
# The hundred commonest surnames: a dictionary word tagged as a personal name is only treated as one
# when it starts with one of these (jieba also tags words such as 玉米 and 丘陵 "nr").
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常葛")


def _dictionary_names() -> frozenset:
    """Words of jieba's main dictionary tagged as personal names or as parts of speech in DROP_TAGS."""
    if not _names_cache:
        names = set()
        with open(Path(jieba.__file__).resolve().parent / jieba.DEFAULT_DICT_NAME, encoding="utf-8") as handle:
            for line in handle:
                parts = line.split()
                if (len(parts) == 3 and parts[2].startswith("nr") and 2 <= len(parts[0]) <= 4
                        and parts[0][0] in SURNAMES):
                    names.add(parts[0])
                elif len(parts) == 3 and parts[2].startswith(DROP_TAGS):
                    names.add(parts[0])
        _names_cache.append(frozenset(names))
    return _names_cache[0]


class Extractor:
    """Built once per curation state; `terms()` is then pure and cheap."""

    def __init__(self, *, extra_words: Iterable[str] = (), stopwords: Iterable[str] | None = None,
                 merges: dict[str, str] | None = None):
        self.stopwords = frozenset(read_list(STOPWORDS_FILE) if stopwords is None else stopwords)
        self.merges = dict(merges or {})
        # rjieba (jieba-rs) cuts with the same dictionary and gives the same tokens as jieba, about twenty
        # times faster (bench/bench_hotwords.py); jieba itself only supplies its dictionary's tags below.
        tokenizer = rjieba.Jieba()
        words = set(read_list(USERDICT_FILE)) | {w.strip() for w in extra_words if w and w.strip()}
        words |= {w for w in self.merges.values() if w}
        words |= set(self.merges)
        for word in words:
            if _CJK_WORD.match(word):
                tokenizer.add_word(word, _USER_WORD_FREQ, None)
        self.tokenizer = tokenizer
        # Words jieba's dictionary tags as personal names (nr, nrfg, nrt) are never terms, unless staff
        # or the shipped dictionary added them on purpose.
        self.names = frozenset(_dictionary_names()) - words
        self.places = frozenset(w for w in words if len(w) >= 3 and _PLACE.match(w))
        self._memo: dict[str, str | None] = {}  # token -> term_of(token)

    def keep(self, token: str) -> bool:
        return (MIN_LEN <= len(token) <= MAX_LEN and token not in self.stopwords and token not in self.names
                and token not in self.places and bool(_CJK_WORD.match(token))
                and not (len(token) >= 3 and _PLACE.match(token)))

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
        seen: dict[str, None] = {}
        for token in self.tokenizer.cut(cleaned, False):
            term = memo.get(token, _UNSEEN)
            if term is _UNSEEN:
                term = memo[token] = self.term_of(token)
            if term is not None and term not in seen:
                seen[term] = None
                if len(seen) >= MAX_TERMS:
                    break
        return list(seen)
