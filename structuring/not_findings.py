"""Words a nurse says about a finding that are no finding of their own: the cough before the
phlegm it brings up, the cough as when something happens, the pain a drug has eased
(`structuring.findings` leaves these spans alone). Split out of `structuring.findings`
(issue 15, twenty-first pass)."""

from __future__ import annotations

import re


def said_as_no_finding(text: str, described_starts: list[int]) -> list[tuple[int, int]]:
    """The spans of `text` that are no finding; `described_starts`: where the described
    findings ("gult slim") begin."""
    coughed = [m.span() for start in described_starts
               for m in [_COUGHED_UP.search(text, 0, start)] if m]
    drunk = [m.span() for m in _DRUNK_LITTLE.finditer(text)] if _AMOUNT.search(text) else []
    return coughed + [m.span() for m in _COUGH_AS_WHEN.finditer(text)] + \
        [m.span() for m in _PAIN_EASED.finditer(text)] + drunk + \
        [m.span("verb") for m in _MAY_FALL.finditer(text)]


# Nynorsk "har falle" is a fall, as bokmål "har falt"; the infinitive ("ho kan falle i
# trappa") is a risk, not a finding; "redd for å falle" is a phrase, and "for å" is left to it.
_MAY_FALL = re.compile(r"(?<![\wæøå])(?:(?<!for\s)å|skal|ska|kan|vil|må|bør|kunne|skulle|ville"
                       r"|sku)(?:\s+(?:ikkje|ikke|itj|itte|ikkj))?\s+(?P<verb>falle)(?![\wæøå])",
                       re.IGNORECASE)


# "Han drikker lite, bare 600 ml i går": the amount is filed as intake, and the writers
# file the manner with it 21 of 97 times (without an amount 44 of 65; tune files).
_DRUNK_LITTLE = re.compile(r"(?<![\wæøå])(?:drikker|drikk|drakk|drukket|drukke|drukki|drukke)"
                           r"(?:\s+(?:veldig|svært|litt|for|så))?\s+(?:lite|dårlig|dårleg)"
                           r"(?![\wæøå])", re.IGNORECASE)
_AMOUNT = re.compile(r"\d+(?:,\d+)?\s*(?:ml|dl|l|liter)(?![\wæøå])|(?<![\wæøå])(?:glas|glass|"
                     r"kopp|koppar|kopper)(?![\wæøå])", re.IGNORECASE)


# "Han hoster gult slim", "hoster fortsatt opp noe grønt slim": the finding is the slim (the
# writers file the slim and not the cough); "lekker urin når han hoster": when, not a finding.
_COUGH = r"(?:hoster|hostar|hosta|hostet)"
_COUGHED_UP = re.compile(rf"(?<![\wæøå]){_COUGH}(?:\s+(?:opp|fortsatt|framleis|noe|noko|litt|"
                         rf"mye|mykje)){{0,3}}\s+$", re.IGNORECASE)
_COUGH_AS_WHEN = re.compile(rf"(?<=\bnår\s)(?:(?:han|hun|ho|hu|a)\s+)?{_COUGH}(?![\wæøå])",
                            re.IGNORECASE)


# "etter ein halvtime var smerta nede i tre", "smertene ble borte": a drug's effect on the
# pain (legemidler), not a finding (0 of 11 filed in the tune gold)
_PAIN_EASED = re.compile(r"(?<![\wæøå])(?:smerta|smerten|smertene|smertane)\s+(?:(?:var|er|vart|"
                         r"ble|blei|har|hadde|gått|gikk|gjekk)\s+){0,2}(?:nede|ned|borte|bedre|"
                         r"mindre|lindra|lindret|redusert|over)(?![\wæøå])", re.IGNORECASE)
