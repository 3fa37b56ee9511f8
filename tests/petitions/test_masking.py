import pytest

from petitions.masking import mask_name, mask_phone


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812341234", "138****1234"),
        ("15900000001", "159****0001"),
        ("138 1234 1234", "138****1234"),
        ("138-1234-1234", "138****1234"),
        ("+8613812341234", "138****1234"),
        ("+86 138 1234 1234", "138****1234"),
        ("008613812341234", "138****1234"),
        ("8888888", "*****88"),  # a 7-digit landline keeps its last 2
        ("0635-888888", "********88"),
        ("12345", "***45"),
        ("123456789012", "**********12"),  # 12 digits is not a mobile number
        ("123", "*23"),
        ("12", "**"),  # keeping the last 2 of 2 would show everything
        ("1", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


def test_mask_phone_never_contains_the_middle_digits():
    assert "5678" not in mask_phone("13856781234")


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧***"),
        ("张", "张"),
        (" 李四 ", "李*"),
        ("Li Lei", "L*****"),
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_mask_name(raw, masked):
    assert mask_name(raw) == masked


def test_masked_name_has_one_star_per_hidden_character():
    assert mask_name("王小明") == "王" + "*" * 2
