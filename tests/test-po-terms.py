#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Kazakh and Russian catalogues use the terms of the law and of the portal (the pilot
# algorithm, order No. 862; ../shared/reference/DOMAIN.md), and none of the words they
# replaced. A translator who writes «келісті» for the buyer's approval or «PIN-код» in the
# CLI makes this fail with the msgid and the offending text. TAP on stdout.

import os
import re
import sys

SOURCE_ROOT = os.environ.get("TIRKEU_SOURCE_ROOT",
                             os.path.join(os.path.dirname(__file__), os.pardir))


def unescape(text):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def load(path):
    """(msgctxt, msgid, [msgstr...]) of each live entry; obsolete (#~) entries are skipped."""
    entries = []
    current = None
    key = None
    with open(path, encoding="utf-8") as po:
        for line in po:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                if current is not None and not line.strip():
                    entries.append(current)
                    current = None
                continue
            match = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$', line)
            if match:
                if current is None:
                    current = {"ctx": None, "id": "", "str": []}
                key = match.group(1)
                value = unescape(match.group(2))
                if key == "msgctxt":
                    current["ctx"] = value
                elif key == "msgid":
                    current["id"] = value
                elif key.startswith("msgstr"):
                    current["str"].append(value)
            elif line.startswith('"') and current is not None:
                value = unescape(line[1:-1])
                if key == "msgctxt":
                    current["ctx"] += value
                elif key == "msgid":
                    current["id"] += value
                elif key.startswith("msgstr"):
                    current["str"][-1] += value
    if current is not None:
        entries.append(current)
    return [e for e in entries if e["id"]]


results = []


def check(name, problems):
    results.append((name, problems))


def scan(entries, msgid_pattern, test, skip=None):
    """The entries whose msgid matches and whose translations fail test(msgstr)."""
    bad = []
    for entry in entries:
        if not re.search(msgid_pattern, entry["id"]):
            continue
        if skip is not None and re.search(skip, entry["id"]):
            continue
        for text in entry["str"]:
            if text and not test(text):
                bad.append("%s%r → %r" % ("[%s] " % entry["ctx"] if entry["ctx"] else "",
                                          entry["id"], text))
    return bad


def anywhere(entries, pattern, allow_msgid=None):
    bad = []
    for entry in entries:
        if allow_msgid is not None and re.search(allow_msgid, entry["id"]):
            continue
        for text in entry["str"]:
            if re.search(pattern, text):
                bad.append("%r → %r" % (entry["id"], text))
    return bad


kk = load(os.path.join(SOURCE_ROOT, "po", "kk.po"))
ru = load(os.path.join(SOURCE_ROOT, "po", "ru.po"))

# Words of the sandbox's own command line (approve|decline|...) are not sentences.
COMMAND_WORDS = r"approve\||decline,|pay-fines|scenario\.buyer"

# Step 10: the buyer «келісімдейді» (approves); «келісу» / «келісті» is to agree in talk.
check("kk: the buyer's approval is «келісімдеу»",
      scan(kk, r"(?i)\bapprov", lambda t: "келісім" in t.lower(), skip=COMMAND_WORDS)
      + anywhere(kk, r"(?i)\bкеліс(ті|еді|педі|пеген|уі|іңіз|кен|ілмеген|е алмай)"))

# Declined by the buyer is «қабылдамады»; «бас тарту» is the portal's reasoned refusal.
check("kk: declined is «қабылдамау», not «бас тарту»",
      scan(kk, r"(?i)\bdeclin", lambda t: "қабылда" in t.lower(), skip=COMMAND_WORDS)
      + scan(kk, r"(?i)\bdeclin", lambda t: not re.search(r"(?i)алушы\S* (өтінімнен )?бас тарт", t),
             skip=COMMAND_WORDS))

check("kk: withdraw is «кері қайтарып алу»",
      scan(kk, r"(?i)\bwithdr", lambda t: "кері қайтарып ал" in t.lower())
      + anywhere(kk, r"(?i)кері шақыр"))

# «жоба» is the pilot project itself; a request not yet sent is a «нобай».
check("kk: a draft is «нобай», not «жоба»",
      scan(kk, r"(?i)\bdrafts?\b", lambda t: "нобай" in t.lower())
      + anywhere(kk, r"(?i)\bжоба", allow_msgid=r"(?i)pilot|project"))

check("kk: cancelled is «тоқтатылды»",
      scan(kk, r"^Cancelled$", lambda t: t == "Тоқтатылды"))

# The token's secret is what NCA's agent calls it: «құпиясөз» / «пароль», never a PIN code.
check("kk: the PIN is «құпиясөз»",
      scan(kk, r"\bPIN\b", lambda t: re.search(r"(?i)құпиясөз", t) is not None)
      + anywhere(kk, r"PIN[- ]?[кК]од|\bПИН\b"))
check("ru: the PIN is «пароль»",
      scan(ru, r"\bPIN\b", lambda t: re.search(r"(?i)парол", t) is not None)
      + anywhere(ru, r"PIN[- ]?[кК]од|\bПИН\b"))

# Russian adjectives agree with what was found or paid: the bare words need a context.
AGREEING = {"Found", "Not found", "Passed", "Failed", "Paid", "Not paid", "paid", "unpaid"}
for language, entries in (("kk", kk), ("ru", ru)):
    check("%s: %s carry a msgctxt" % (language, ", ".join(sorted(AGREEING))),
          ["%r has no msgctxt" % e["id"] for e in entries
           if e["id"] in AGREEING and e["ctx"] is None])

EXPECTED_RU = {
    ("e-passport", "Found"): "Найден",
    ("e-passport", "Not found"): "Не найден",
    ("check", "Passed"): "Пройдена",
    ("check", "Failed"): "Не пройдена",
    ("customs payments", "Paid"): "Оплачены",
    ("customs payments", "Not paid"): "Не оплачены",
    ("utilization fee", "Paid"): "Оплачен",
    ("utilization fee", "Not paid"): "Не оплачен",
}
by_key = {(e["ctx"], e["id"]): e for e in ru}
check("ru: the contexts' words agree in gender and number",
      ["%r: %r, expected %r" % (key, by_key[key]["str"] if key in by_key else None, want)
       for key, want in EXPECTED_RU.items()
       if key not in by_key or by_key[key]["str"] != [want]])

# Dates are formatted before they reach a msgid: no year-month-day conversions in a msgid.
for language, entries in (("kk", kk), ("ru", ru)):
    check("%s: no msgid formats an ISO date" % language,
          ["%r" % e["id"] for e in entries if re.search(r"%0?4u-%0?2u", e["id"])])

failed = 0
print("1..%d" % len(results))
for number, (name, problems) in enumerate(results, 1):
    if problems:
        failed += 1
        print("not ok %d - %s" % (number, name))
        for problem in problems:
            print("# %s" % problem)
    else:
        print("ok %d - %s" % (number, name))
sys.exit(1 if failed else 0)
