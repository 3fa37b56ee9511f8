"""Bad input never breaks extraction nor leaks junk: empty, very long, emoji, mixed scripts, traditional, HTML."""
import re

import pytest

from petitions.hotwords.extract import MAX_TERMS, Extractor, clean_text


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


def _clean(terms):
    return all(re.fullmatch(r"[\u4e00-\u9fff]{2,12}", t) for t in terms)


@pytest.mark.parametrize("text", ["", "   ", None, "😀😀😀🔥🔥", "!!!???。。。", "12345678901", "<p></p>&nbsp;",
                                  "asdf qwer zxcv", "ℌ𝔢𝔩𝔩𝔬 ＡＢＣ １２３"])
def test_input_without_chinese_words_gives_no_terms(extractor, text):
    assert extractor.terms(text) == []


def test_html_is_stripped_and_entities_do_not_leak(extractor):
    terms = extractor.terms('<script>alert("暖气")</script><b>小区暖气不热</b>&amp;&lt;div&gt; <a href="x">物业</a>')
    assert "暖气不热" in terms and "物业" in terms
    assert _clean(terms)
    assert not any(t in ("script", "alert", "amp", "div") for t in terms)


def test_mixed_chinese_english_and_emoji_keep_only_the_chinese_terms(extractor):
    terms = extractor.terms("我家WiFi断了😡，电信宽带师傅说要等3天，APP上投诉没用👎，电信诈骗短信也很多")
    assert _clean(terms)
    assert "电信诈骗" in terms and "电信宽带" in terms


def test_traditional_characters_give_no_junk(extractor):
    terms = extractor.terms("我們小區的暖氣不熱，請問怎麼辦？醫保報銷太慢了。")
    assert _clean(terms)
    assert all(len(t) >= 2 for t in terms)


def test_a_very_long_text_is_cut_and_yields_at_most_max_terms(extractor):
    text = "玉米倒伏积水排涝，" * 50_000 + "".join(f"{c}路灯不亮" for c in "东西南北")
    terms = extractor.terms(text)
    assert "玉米倒伏" in terms
    assert len(terms) <= MAX_TERMS
    assert len(clean_text(text)) <= 4000


def test_the_citizens_name_and_phone_never_become_terms(extractor):
    terms = extractor.terms("我叫王秀英，电话13812345678，张建国和刘洋也反映路灯不亮", name="王秀英")
    assert terms == ["路灯不亮"]


def test_synonyms_are_merged_and_staff_words_are_kept_whole():
    extractor = Extractor(extra_words=["梁村大集"], merges={"暖气不热": "供暖不足", "暖气不暖": "供暖不足"})
    assert extractor.terms("暖气不热") == ["供暖不足"]
    assert extractor.terms("暖气不暖，梁村大集路灯不亮") == ["供暖不足", "梁村大集", "路灯不亮"]
