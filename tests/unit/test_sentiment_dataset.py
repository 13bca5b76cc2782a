"""Labelled CSVs: the bundled splits and a user's file, with one-line errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tradebot.domain.errors import DataError
from tradebot.sentiment import Label
from tradebot.sentiment.dataset import bundled_dataset_path, read_labelled_csv


def test_the_bundled_splits_have_the_documented_sizes() -> None:
    path = bundled_dataset_path()
    train = read_labelled_csv(path, split="train")
    valid = read_labelled_csv(path, split="valid")
    assert (len(train), len(valid)) == (9543, 2388)
    counts = {label: sum(row.label is label for row in valid) for label in Label}
    assert counts == {Label.NEGATIVE: 347, Label.NEUTRAL: 1566, Label.POSITIVE: 475}


def test_a_user_csv_plain_or_gzip(tmp_path: Path) -> None:
    body = 'text,sentiment\n"Shares jump, again",Positive\nFlat day,neutral\n'
    plain = tmp_path / "a.csv"
    plain.write_text(body)
    packed = tmp_path / "a.csv.gz"
    packed.write_bytes(gzip.compress(body.encode()))
    for path in (plain, packed):
        rows = read_labelled_csv(path)
        assert [(r.text, r.label) for r in rows] == [
            ("Shares jump, again", Label.POSITIVE),
            ("Flat day", Label.NEUTRAL),
        ]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("headline,sentiment\nx,positive\n", "has no column text"),
        ("text,sentiment\nx,bullish\n", "line 2: sentiment 'bullish' is not one of"),
        ("text,sentiment\n", "has no rows"),
    ],
)
def test_bad_files_are_one_clear_error(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body)
    with pytest.raises(DataError, match=problem):
        read_labelled_csv(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        read_labelled_csv(tmp_path / "nope.csv")
