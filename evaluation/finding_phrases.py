"""Finding phrases as the writers file them, for `phrases_as_filed` in findings.json.

A phrase is proposed when the writers' gold files it as a finding at least twice, by at least
two writers, in at least three fifths of the sentences that contain it, and the shipped rules
miss it in at least as many dictations as they find it. Held out, the proposals pay
(issue 15, seventeenth pass): proposed without tune22's writers, they raised tune22's finding
F1 0.862 / 0.683 / 0.741 → 0.880 / 0.691 / 0.773; without tune21's, tune21's 0.832 / 0.769 →
0.851 / 0.779. Derived again from every writer read (thirty-fifth pass), without tune75's three
writers it raised tune75's finding F1 0.756 → 0.782. A clinician reviews the list before it is
shipped; the blind splits and the writers only scored are never read.

    python -m evaluation.finding_phrases [--without t22a,t22b]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

MIN_FILED = 2  # times the gold files the phrase as a finding …
MIN_WRITERS = 2  # … by this many writers
MIN_SHARE = 0.6  # of the gold sentences that contain the phrase


def writer(row: dict) -> str:
    return row["id"].rsplit("-", 1)[0]


def proposed_phrases(rows: Sequence[dict], system_findings: Sequence[set[str]],
                     known: Iterable[str]) -> list[str]:
    """The phrases to propose; `system_findings[i]`: the values the rules find in rows[i]."""
    filed: Counter[str] = Counter()
    writers: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for e in row["entities"]:
            if e["type"] == "finding":
                filed[e["value"]] += 1
                writers[e["value"]].add(writer(row))
    known = set(known)
    sentences = [s["text"] for row in rows for s in row["sentences"]]
    out = []
    for value, n in filed.items():
        if n < MIN_FILED or len(writers[value]) < MIN_WRITERS or value in known or \
                " " not in value:
            continue
        said = re.compile(rf"(?<![\wæøå]){re.escape(value)}(?![\wæøå])", re.IGNORECASE)
        if n < MIN_SHARE * sum(1 for text in sentences if said.search(text)):
            continue
        found = missed = 0
        for row, system in zip(rows, system_findings):
            if any(e["type"] == "finding" and e["value"] == value for e in row["entities"]):
                found += value in system
                missed += value not in system
        if missed >= 2 and missed >= found:
            out.append(value)
    return sorted(out)


# Every writer the rules are tuned on: dev, tune, tune3 … tune98 but the writers only scored
# in this pass; the blind splits are never read here. (From the seventeenth to the
# thirty-fourth pass the list stayed as derived from tune3 … tune28; the thirty-fifth pass
# derived it again from every writer read.)
ONLY_SCORED = ("tune97.jsonl",)
TUNED_ON = tuple(name for name in (f"tune{k}.jsonl" for k in range(3, 99))
                 if name not in ONLY_SCORED)


def tuned_on_rows() -> list[dict]:
    from evaluation.structuring_train import DEV, TUNE, _read

    return _read((DEV, TUNE, *(TUNE.parent / name for name in TUNED_ON)))


def main() -> None:
    from structuring import finding_filter, findings
    from structuring.pipeline import structure
    from structuring.rules import load_rules

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--without", default="", help="writers left out, e.g. t22a,t22b")
    args = parser.parse_args()
    left_out = set(filter(None, args.without.split(",")))
    rows = [r for r in tuned_on_rows() if writer(r) not in left_out]
    rules = load_rules("findings")
    # The list is re-derived from the rules without it, not kept because it is there.
    findings._finding_rules = lambda: rules
    with finding_filter.disabled():  # what the rules find, before the filter leaves any out
        system = [{e.value for e in structure(r["spoken"], language=r.get("language", "nb"))
                   .entities if e.type == "finding"} for r in rows]
    known = [*rules["phrases"], *rules["heads"]]
    print(json.dumps(proposed_phrases(rows, system, known), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
