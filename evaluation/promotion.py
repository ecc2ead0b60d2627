"""The promotion gate: a new model replaces a tenant's model only when the figures say so.

Both models run through the same evaluation harness on the same manifest. The new model is
promoted when
- it is better overall (lower corpus WER),
- no dialect is worse beyond chance: the 95 % paired-bootstrap interval of its WER
  difference there lies not wholly above zero, and
- it invents no more text on silence and noise than the old one.
Every decision is stored with its figures (`model_promotions`), promoted or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from evaluation.metrics import corpus_rate, paired_difference_interval


@dataclass(frozen=True)
class DialectCheck:
    dialect: str
    utterances: int
    old_wer: float
    new_wer: float
    difference_ci95: tuple[float, float]

    @property
    def worse(self) -> bool:
        return self.difference_ci95[0] > 0


@dataclass(frozen=True)
class PromotionDecision:
    promote: bool
    reasons: tuple[str, ...]
    old_wer: float
    new_wer: float
    p_value: float | None
    old_hallucination_rate: float
    new_hallucination_rate: float
    dialects: tuple[DialectCheck, ...]

    def figures(self) -> dict:
        data = asdict(self)
        data.pop("promote"), data.pop("reasons")
        return data


def decide(dialects: Sequence[str], old: dict, new: dict, *, p_value: float | None = None,
           seed: int = 0) -> PromotionDecision:
    """`dialects`: the dialect of each speech utterance, in the order `score` counted them."""
    checks = _dialect_checks(dialects, old, new, seed)
    reasons = []
    if new["wer"] >= old["wer"]:
        reasons.append(f"not better overall: WER {new['wer']:.3f} vs {old['wer']:.3f}")
    for check in checks:
        if check.worse:
            low, high = check.difference_ci95
            reasons.append(f"worse on {check.dialect}: WER {check.new_wer:.3f} vs "
                           f"{check.old_wer:.3f} (difference {low:+.3f} to {high:+.3f})")
    if new["hallucination_rate"] > old["hallucination_rate"]:
        reasons.append(f"more invented text on silence/noise: {new['hallucination_rate']:.2f}"
                       f" vs {old['hallucination_rate']:.2f}")
    promote = not reasons
    if promote:
        reasons.append(f"better overall (WER {new['wer']:.3f} vs {old['wer']:.3f}) and not "
                       "worse on any dialect beyond its 95 % interval")
    return PromotionDecision(promote, tuple(reasons), old["wer"], new["wer"], p_value,
                             old["hallucination_rate"], new["hallucination_rate"],
                             tuple(checks))


def _dialect_checks(dialects: Sequence[str], old: dict, new: dict, seed: int
                    ) -> list[DialectCheck]:
    old_errors, new_errors = old["per_utterance_errors"], new["per_utterance_errors"]
    words = old["per_utterance_words"]
    if not (len(dialects) == len(old_errors) == len(new_errors) == len(words)):
        raise ValueError("both results must score the same utterances")
    checks = []
    for dialect in sorted(set(dialects)):
        picks = [i for i, d in enumerate(dialects) if d == dialect]
        a, b, t = ([old_errors[i] for i in picks], [new_errors[i] for i in picks],
                   [words[i] for i in picks])
        low, high = paired_difference_interval(a, b, t, seed=seed)
        checks.append(DialectCheck(dialect, len(picks), round(corpus_rate(a, t), 4),
                                   round(corpus_rate(b, t), 4), (round(low, 4), round(high, 4))))
    return checks
