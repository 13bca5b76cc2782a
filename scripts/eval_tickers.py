"""Precision and recall of ticker extraction on the 200 hand-labelled items, and its speed.

    .venv/bin/python scripts/eval_tickers.py [--json OUT] [--errors]
    .venv/bin/python scripts/eval_tickers.py --draw /work/shared/data   # the sample, unlabelled

The labelled set, ``tests/fixtures/tickers_labelled.jsonl``, holds 100 StockNet tweets
(2014-2015) and 100 headlines with summaries (2021) drawn with a fixed seed (``--draw``
rebuilds the draw from the shared data set and checks it against the fixture). Labels were
written by reading each text, before the extractor existed. Rules of the labels:

- every US-listed company or fund the text names or writes as a ticker ($-tag, exchange
  prefix, bare capitals, a name) counts; a ticker with a foreign suffix ($HNU.TO, $T.CA),
  a currency pair ($USDJPY), a truncated tag ($TL…) and ``L$D``-style words do not;
- companies named only as the source of a story or an analyst's employer (CNBC, Reuters,
  Bloomberg, "Goldman Sachs analyst", "BofA Securities") do not count; private companies
  (Epic Games, Huawei) have no ticker; products alone (iPhone) do not name their maker;
- a company that changed its ticker is labelled with today's (Facebook → META).

Scores are micro-averaged over (item, ticker) pairs.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "fixtures" / "tickers_labelled.jsonl"
SEED = 20260505
PER_SOURCE = 100


def draw(source: Path) -> list[dict[str, str]]:
    """The reproducible sample: distinct texts, ``PER_SOURCE`` of each set, fixed seed."""

    def distinct(rows: list[dict[str, str]], key: str) -> list[dict[str, str]]:
        seen: dict[str, dict[str, str]] = {}
        for row in rows:
            seen.setdefault(" ".join(row[key].split()), row)
        return [seen[k] for k in sorted(seen)]

    with gzip.open(source / "tweets_stocknet_2014-2015.csv.gz", "rt", encoding="utf-8") as f:
        tweets = distinct(list(csv.DictReader(f)), "text")
    with gzip.open(source / "news_headlines_2021.csv.gz", "rt", encoding="utf-8") as f:
        headlines = distinct(list(csv.DictReader(f)), "headline")
    rng = random.Random(SEED)
    items = [
        {"text": " ".join(r["text"].split()), "source": "stocknet_tweet"}
        for r in rng.sample(tweets, PER_SOURCE)
    ]
    items += [
        {
            "text": " ".join(r["headline"].split()) + "\n" + " ".join(r["summary"].split()),
            "source": "headline_2021",
        }
        for r in rng.sample(headlines, PER_SOURCE)
    ]
    return items


def load() -> list[dict[str, object]]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]


def score(items: list[dict[str, object]]) -> dict[str, object]:
    """Micro precision/recall/F1 overall and per source, misses listed, and items/s."""
    from tradebot.sentiment.tickers import TickerExtractor

    extractor = TickerExtractor()
    totals: dict[str, list[int]] = {}
    errors: list[dict[str, object]] = []
    for item in items:
        text = str(item["text"])
        expected = set(item["expected"])  # type: ignore[call-overload]
        found = set(extractor.extract(text))
        for key in ("all", str(item["source"])):
            tp, fp, fn = totals.setdefault(key, [0, 0, 0])
            totals[key] = [tp + len(found & expected), fp + len(found - expected),
                           fn + len(expected - found)]  # fmt: skip
        if found != expected:
            errors.append({"text": text, "missed": sorted(expected - found),
                           "extra": sorted(found - expected)})  # fmt: skip
    texts = [str(item["text"]) for item in items] * 25
    started = time.perf_counter()
    for text in texts:
        extractor.extract(text)
    elapsed = time.perf_counter() - started
    report: dict[str, object] = {"items": len(items), "items_per_s": round(len(texts) / elapsed)}
    for key, (tp, fp, fn) in totals.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report[key] = {"precision": round(precision, 4), "recall": round(recall, 4),
                       "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}  # fmt: skip
    report["errors"] = errors
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", type=Path, metavar="SHARED_DATA_DIR")
    parser.add_argument("--json", type=Path, metavar="OUT")
    parser.add_argument("--errors", action="store_true", help="print every wrong item")
    args = parser.parse_args()
    if args.draw is not None:
        drawn = draw(args.draw)
        labelled = [item["text"] for item in load()]
        same = [item["text"] for item in drawn] == labelled
        print(f"drew {len(drawn)} items; identical to the labelled fixture: {same}")
        sys.exit(0 if same else 1)
    report = score(load())
    for key in ("all", "stocknet_tweet", "headline_2021"):
        s = report[key]
        assert isinstance(s, dict)
        print(f"{key:15} precision {s['precision']:.3f}  recall {s['recall']:.3f}  "
              f"F1 {s['f1']:.3f}  (tp {s['tp']}, fp {s['fp']}, fn {s['fn']})")  # fmt: skip
    print(f"speed: {report['items_per_s']:,} items/s (one core, this machine)")
    if args.errors:
        for error in report["errors"]:  # type: ignore[attr-defined]
            print(json.dumps(error, ensure_ascii=False))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
