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


def test_filler_and_complaint_are_no_terms(extractor):
    terms = extractor.terms("反映一下，老人孩子冻得受不了，物业推给热力公司，一直没人管，麻烦尽快解决问题，怎么办？")
    assert terms == ["物业"]


def test_places_of_the_region_tree_are_no_terms_with_or_without_their_suffix():
    extractor = Extractor(places=["莘县", "樱桃园镇", "前王庄村", "东关社区", "建设社区"])
    terms = extractor.terms("莘县樱桃园前王庄村的路灯不亮，樱桃园镇东关社区也是，建设社区在搞建设")
    assert terms == ["路灯不亮", "建设"]  # a community's stem (建设, 幸福, 花园) is an everyday word


def test_other_cities_and_provinces_are_no_terms(extractor):
    terms = extractor.terms("父亲在青岛住院，后来转到济南，河北邯郸的亲戚也来了，异地就医怎么报销")
    assert "住院" in terms and "报销" in terms
    assert not {"青岛", "济南", "河北", "邯郸"} & set(terms)


@pytest.mark.parametrize("text", ["我在宏远轴承有限公司干活，工资拖欠三个月", "在华达新材料有限公司干活，工资拖欠三个月",
                                  "嘉禾集团干活，工资拖欠三个月", "鲁冠纺织厂干活，工资拖欠三个月"])
def test_a_firms_name_is_no_term_brand_and_trade_included(extractor, text):
    assert extractor.terms(text) == ["干活", "工资", "拖欠"]


def test_a_firms_name_takes_nothing_before_it_that_is_not_part_of_it(extractor):
    assert extractor.terms("村里的合作社和宏远公司签了土地流转合同") == ["合作社", "土地流转", "合同"]


def test_a_word_staff_added_is_a_term_even_when_it_ends_like_a_firm():
    assert "物业公司" in Extractor(extra_words=["物业公司"]).terms("小区物业公司乱收费")


@pytest.mark.parametrize("text, matter", [("自来水公司停水不提前通知", "自来水"), ("物业公司乱收费，不给开发票", "物业"),
                                          ("找了供热公司也没人管，暖气不热", "供热"), ("电动车充电桩供电公司不给接电", "供电"),
                                          ("垃圾处理厂臭味很大", "垃圾")])
def test_what_a_firm_does_is_the_matter_and_stays_a_term(text, matter):
    """A dictionary word before 公司 or 厂 is what the firm does, not its brand (with the routing keywords, as
    services pass them)."""
    assert matter in Extractor(extra_words=["物业", "垃圾"]).terms(text)


def test_a_villages_name_does_not_take_its_everyday_stem_with_it():
    extractor = Extractor(places=["水库村", "果园村", "林场村", "建设村", "高唐县"])
    assert extractor.terms("水库村的水库漏水，果园村果园打药，林场村林场着火，高唐县城建设慢") == [
        "水库", "漏水", "果园", "打药", "林场", "着火", "建设"]
