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
        [m.span("verb") for m in _MAY_FALL.finditer(text)] + \
        [m.span("state") for m in _STATE_AS_WHEN.finditer(text)] + \
        [m.span("what") for m in _POSSIBLY.finditer(text)]


# "kvitt belegg som kan vere sopp", "melding til fastlegen om mogleg urinvegsinfeksjon": what
# it may be is for the doctor to find (tune files: 15 such found and not filed, 1 filed);
# "ser ut som sopp" and "mistenker delirium" the writers do file (16 of 21)
_POSSIBLY = re.compile(r"(?:(?:^|(?<=[\s,.])(?:som|det|dette|dæ|de)\s+)kan\s+(?:være|vere|væra|vær)"
                       r"|(?<![\wæøå])(?:mulig|mogleg|muligens|ligner|liknar|likner|lignar)"
                       r"(?:\s+på)?)\s+(?:(?:en|ein|ei|et|eit)\s+)?(?P<what>[\wæøå]+)",
                       re.IGNORECASE)


# "snakkar mest samisk når ho er sliten", "ring om han blir uklar": a state said as when or
# if something else happens is no observation (tune files: 33 such states found and not
# filed, 4 filed — "det skjer når han er urolig")
_STATE_AS_WHEN = re.compile(r"(?<![\wæøå])(?:når|om|viss|hvis|dersom)\s+(?:han|hun|ho|hu|a|dei|de"
                            r"|ein|en|man|beboeren|bebuaren|brukeren|brukaren|pasienten)\s+"
                            r"(?:er|e|blir|bli|vert|vart|blei|ble|kjenner\s+seg|føler\s+seg|"
                            r"kjenner\s+sæ)\s+(?:(?:litt|veldig|svært|så|mer|meir|mest)\s+)?"
                            r"(?P<state>[\wæøå]+)", re.IGNORECASE)


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
