#!/usr/bin/env python3
"""Convert the Open University Learning Analytics Dataset (OULAD) into Lectern's import files.

    python3 tools/oulad/convert.py OULAD_FOLDER OUT_FOLDER

Reads courses.csv, studentInfo.csv, studentRegistration.csv, assessments.csv and vle.csv (vle.csv and
assessments.csv may be absent) and writes creators.csv, courses.csv, users.csv and interactions.csv in
the formats `lectern import` reads. Standard library only; the same input gives byte-identical output.
Every mapping choice is explained in tools/oulad/README.md. A summary, with every row that could not be
used and every fallback taken, goes to standard error.

OULAD: Kuzilek J., Hlosta M., Zdrahal Z. "Open University Learning Analytics dataset."
Scientific Data 4, 170171 (2017), doi:10.1038/sdata.2017.171, CC-BY 4.0.
"""

import collections
import csv
import datetime
import os
import sys

# The OULAD paper (Table 1) puts every module in one of two domains.
MODULE_DOMAINS = {
    "AAA": "social-sciences", "BBB": "social-sciences", "GGG": "social-sciences",
    "CCC": "stem", "DDD": "stem", "EEE": "stem", "FFF": "stem",
}
CREATORS = {
    "social-sciences": "The Open University: Social Sciences",
    "stem": "The Open University: STEM",
}
# The OU sells its own modules: no platform between the faculty and the student keeps a share.
REVENUE_SHARE = "1.0"
# OU undergraduate fee for new students in England from 1 September 2012:
# GBP 5,000 per 120 credits (GBP 2,500 for 60 credits, GBP 1,250 for 30), in pence.
FEE_PENCE_PER_120_CREDITS = 500_000
CURRENCY = "GBP"
# UK credit framework: one credit is ten notional hours of study.
HOURS_PER_CREDIT = 10
# Used only when no student of a module states their credits (never in the published subset).
DEFAULT_CREDITS = 60
# Presentations start in February ("B") or October ("J"); OULAD gives no day, so the first of the month.
START_MONTHS = {"B": 2, "J": 10}
MONTH_NAMES = {2: "February", 10: "October"}
# OULAD records no acquisition channel.
CHANNEL = "unknown"
# OU regions in England, Scotland and Wales; "Ireland" covers Northern Ireland and the Republic, so no country.
GB_REGIONS = {
    "East Anglian Region", "East Midlands Region", "London Region", "North Region", "North Western Region",
    "Scotland", "South East Region", "South Region", "South West Region", "Wales", "West Midlands Region",
    "Yorkshire Region",
}
PASSED = {"Pass", "Distinction"}
KIND_ORDER = {"enroll": 0, "purchase": 1, "refund": 2, "complete": 3}


class Notes:
    """Counts of rows left out and fallbacks taken, printed at the end."""

    def __init__(self):
        self.counts = collections.Counter()
        self.examples = {}

    def add(self, what, example=None):
        self.counts[what] += 1
        if example is not None and what not in self.examples:
            self.examples[what] = example

    def print(self, stream):
        for what in sorted(self.counts):
            example = self.examples.get(what)
            suffix = f" (first: {example})" if example else ""
            print(f"  {self.counts[what]} {what}{suffix}", file=stream)


def value(row, column):
    """The stripped text of a column; None when absent, empty or OULAD's missing mark '?'."""
    text = (row.get(column) or "").strip()
    return None if text in ("", "?") else text


def integer(row, column):
    text = value(row, column)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None


def read_rows(folder, name, required=True):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        if required:
            sys.exit(f"error: {path} not found")
        return []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def presentation_start(code):
    """The nominal first day of a presentation such as '2013J', or None when the code is malformed."""
    if len(code) != 5 or not code[:4].isdigit() or code[4] not in START_MONTHS:
        return None
    return datetime.date(int(code[:4]), START_MONTHS[code[4]], 1)


def tag(text):
    """A Lectern tag from OULAD text: lowercase letters, digits and '-' ('forumng', 'tma'), at most 60."""
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "+#.-") else "-" for c in text.strip().lower())
    return cleaned.strip("-")[:60]


def iso(day):
    return f"{day.isoformat()}T00:00:00Z"


def slug(module, presentation):
    return f"{module}-{presentation}".lower()


class Presentation:
    def __init__(self, module, code, length, start):
        self.module, self.code, self.length, self.start = module, code, length, start
        self.domain = MODULE_DOMAINS.get(module)
        self.credits = None
        self.assessments = collections.Counter()
        self.last_assessment = None
        self.materials = collections.Counter()
        self.first_registration = None
        self.opened = start

    @property
    def slug(self):
        return slug(self.module, self.code)

    @property
    def end_day(self):
        return self.length if self.length is not None else self.last_assessment

    def price(self):
        return self.credits * FEE_PENCE_PER_120_CREDITS // 120


def load_presentations(folder, notes):
    presentations = {}
    for row in read_rows(folder, "courses.csv"):
        module, code = value(row, "code_module"), value(row, "code_presentation")
        start = presentation_start(code or "")
        if module is None or start is None:
            notes.add("courses.csv rows without a module or a presentation code like 2013J", f"{module} {code}")
            continue
        if module not in MODULE_DOMAINS:
            notes.add("courses.csv rows of a module with no known domain", module)
            continue
        if (module, code) in presentations:
            notes.add("duplicate courses.csv rows", f"{module} {code}")
            continue
        length = integer(row, "module_presentation_length")
        if length is None or length <= 0:
            notes.add("presentations without a length (the last assessment date ends them)", f"{module} {code}")
            length = None
        presentations[(module, code)] = Presentation(module, code, length, start)
    return presentations


def load_assessments(folder, presentations, notes):
    for row in read_rows(folder, "assessments.csv", required=False):
        presentation = presentations.get((value(row, "code_module"), value(row, "code_presentation")))
        kind = value(row, "assessment_type")
        if presentation is None or kind is None:
            notes.add("assessments.csv rows of an unknown presentation or without a type")
            continue
        presentation.assessments[tag(kind)] += 1
        day = integer(row, "date")
        if day is not None:
            presentation.last_assessment = max(day, presentation.last_assessment or day)


def load_materials(folder, presentations, notes):
    for row in read_rows(folder, "vle.csv", required=False):
        presentation = presentations.get((value(row, "code_module"), value(row, "code_presentation")))
        kind = value(row, "activity_type")
        if presentation is None or kind is None:
            notes.add("vle.csv rows of an unknown presentation or without an activity type")
            continue
        presentation.materials[tag(kind)] += 1


class Registration:
    def __init__(self, presentation, student):
        self.presentation, self.student = presentation, student
        self.registered = None      # day relative to the start
        self.unregistered = None
        self.info = None            # the studentInfo row


def load_registrations(folder, presentations, notes):
    """Registrations keyed by (module, presentation, student), from studentRegistration.csv and studentInfo.csv."""
    registrations = {}

    def find(row, source):
        module, code = value(row, "code_module"), value(row, "code_presentation")
        student = value(row, "id_student")
        presentation = presentations.get((module, code))
        if presentation is None:
            notes.add(f"{source} rows of an unknown presentation", f"{module} {code}")
            return None
        if student is None or not student.isdigit():
            notes.add(f"{source} rows without a numeric id_student", student)
            return None
        key = (module, code, student)
        if key not in registrations:
            registrations[key] = Registration(presentation, student)
        return registrations[key]

    seen = set()
    for row in read_rows(folder, "studentRegistration.csv"):
        registration = find(row, "studentRegistration.csv")
        if registration is None:
            continue
        key = (registration.presentation.module, registration.presentation.code, registration.student)
        if key in seen:
            notes.add("duplicate studentRegistration.csv rows (the first kept)", " ".join(key))
            continue
        seen.add(key)
        registration.registered = integer(row, "date_registration")
        registration.unregistered = integer(row, "date_unregistration")
    for row in read_rows(folder, "studentInfo.csv"):
        registration = find(row, "studentInfo.csv")
        if registration is None:
            continue
        if registration.info is not None:
            notes.add("duplicate studentInfo.csv rows (the first kept)", registration.student)
            continue
        registration.info = row
        credits = integer(row, "studied_credits")
        # A student's credits include this module's, so the smallest total any of its students studies
        # is the module's own size (a student taking nothing else).
        if credits is not None and credits > 0:
            presentation = registration.presentation
            presentation.credits = credits if presentation.credits is None else min(presentation.credits, credits)
    return registrations


def settle_credits(presentations, notes):
    by_module = collections.defaultdict(list)
    for presentation in presentations.values():
        if presentation.credits is not None:
            by_module[presentation.module].append(presentation.credits)
    for presentation in presentations.values():
        if presentation.credits is None:
            known = by_module.get(presentation.module)
            presentation.credits = min(known) if known else DEFAULT_CREDITS
            notes.add("presentations whose credits came from another presentation or the default",
                      presentation.slug)


def events_of(registration, notes):
    """The Lectern interactions of one registration: (day, kind, value)."""
    presentation = registration.presentation
    registered, unregistered = registration.registered, registration.unregistered
    if unregistered is not None and registered is not None and unregistered < registered:
        notes.add("unregistrations before their registration (taken as at the registration)", registration.student)
        unregistered = registered
    if registered is None:
        # The student was registered (OULAD has their result); the start, or the unregistration if earlier.
        registered = 0 if unregistered is None else min(0, unregistered)
        notes.add("registrations without a date (recorded at the start, or at the unregistration if earlier)",
                  f"{registration.student} {presentation.slug}")
    price = presentation.price()
    events = [(registered, "enroll", ""), (registered, "purchase", price)]
    result = value(registration.info, "final_result") if registration.info else None
    if registration.info is None:
        notes.add("registrations without a studentInfo.csv row (no result)", registration.student)
    if unregistered is not None and unregistered <= 0:
        events.append((unregistered, "refund", price))
        if result in PASSED:
            notes.add("passed registrations cancelled before the start (refund kept, no completion)",
                      registration.student)
        return events
    if result in PASSED:
        if presentation.end_day is None:
            notes.add("passed registrations of a presentation with no end (no completion)", registration.student)
        else:
            events.append((max(presentation.end_day, registered), "complete", ""))
    elif registration.info is not None and result not in ("Fail", "Withdrawn"):
        notes.add("results other than Pass, Distinction, Fail or Withdrawn", result)
    return events


def convert(source, target):
    notes = Notes()
    presentations = load_presentations(source, notes)
    load_assessments(source, presentations, notes)
    load_materials(source, presentations, notes)
    registrations = load_registrations(source, presentations, notes)
    settle_credits(presentations, notes)

    interactions = []
    learners = {}  # student -> (first registration, its presentation code and module, its studentInfo row)
    for key in sorted(registrations, key=lambda k: (k[0], k[1], int(k[2]))):
        registration = registrations[key]
        presentation = registration.presentation
        events = events_of(registration, notes)
        for day, kind, amount in events:
            when = presentation.start + datetime.timedelta(days=day)
            interactions.append((when, int(registration.student), presentation.slug, kind, amount))
        first = presentation.start + datetime.timedelta(days=events[0][0])
        if presentation.first_registration is None or first < presentation.first_registration:
            presentation.first_registration = first
        known = learners.get(registration.student)
        candidate = (first, presentation.code, presentation.module, registration.info)
        if known is None or candidate[:3] < known[:3]:
            learners[registration.student] = candidate

    os.makedirs(target, exist_ok=True)

    def writer(name, header):
        handle = open(os.path.join(target, name), "w", newline="", encoding="utf-8")
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        return handle, out

    used = sorted({p.domain for p in presentations.values()})
    first_course = {}
    for presentation in presentations.values():
        opened = min(presentation.start, presentation.first_registration or presentation.start)
        presentation.opened = opened
        first_course[presentation.domain] = min(opened, first_course.get(presentation.domain, opened))
    handle, out = writer("creators.csv", ["name", "revenue_share", "contact", "created_at"])
    for domain in used:
        out.writerow([CREATORS[domain], REVENUE_SHARE, "", iso(first_course[domain])])
    handle.close()

    handle, out = writer("courses.csv", ["slug", "title", "description", "domain", "difficulty", "format",
                                         "language", "price_minor", "currency", "creator", "hours", "status",
                                         "tags", "prerequisites", "created_at", "family"])
    for presentation in sorted(presentations.values(), key=lambda p: p.slug):
        month = MONTH_NAMES[presentation.start.month]
        length = f"{presentation.length} days" if presentation.length is not None else "for a length OULAD does not give"
        assessments = ", ".join(f"{n} {kind.upper() if kind != 'exam' else 'exam'}"
                                for kind, n in sorted(presentation.assessments.items()))
        parts = [f"OULAD module {presentation.module} ({presentation.domain}), presentation {presentation.code}: "
                 f"starts {presentation.start.isoformat()}, runs {length}, {presentation.credits} credits"]
        if assessments:
            parts.append(f"assessments: {assessments}")
        if presentation.materials:
            materials = sum(presentation.materials.values())
            parts.append(f"{materials} VLE material{'s' if materials != 1 else ''}")
        tags = [tag(f"module-{presentation.module}")] + sorted(presentation.assessments) + sorted(presentation.materials)
        out.writerow([
            presentation.slug,
            f"Module {presentation.module}, {month} {presentation.start.year}",
            "; ".join(parts) + ".",
            presentation.domain, "", "", "en", presentation.price(), CURRENCY, CREATORS[presentation.domain],
            presentation.credits * HOURS_PER_CREDIT, "published", ";".join(dict.fromkeys(t for t in tags if t)), "",
            iso(presentation.opened),
            # Every presentation of a module is a run of one family: a learner who took AAA 2013J is
            # never offered AAA 2014J.
            tag(f"module-{presentation.module}"),
        ])
    handle.close()

    handle, out = writer("users.csv", ["external_id", "display_name", "email", "country", "interests", "channel",
                                       "campaign", "created_at"])
    for student in sorted(learners, key=int):
        first, code, _, info = learners[student]
        region = value(info, "region") if info else None
        out.writerow([student, "", "", "GB" if region in GB_REGIONS else "", "", CHANNEL, code, iso(first)])
    handle.close()

    interactions.sort(key=lambda e: (e[0], e[1], e[2], KIND_ORDER[e[3]]))
    handle, out = writer("interactions.csv", ["user", "course", "kind", "value", "channel", "occurred_at", "key"])
    for when, student, course, kind, amount in interactions:
        out.writerow([student, course, kind, amount, "", iso(when), f"oulad:{course}:{student}:{kind}"])
    handle.close()

    kinds = collections.Counter(e[3] for e in interactions)
    print(f"{len(used)} creators, {len(presentations)} courses, {len(learners)} users, "
          f"{len(interactions)} interactions ({', '.join(f'{kinds[k]} {k}' for k in KIND_ORDER)}) -> {target}",
          file=sys.stderr)
    notes.print(sys.stderr)


def main(arguments):
    if len(arguments) != 2:
        sys.exit("usage: convert.py OULAD_FOLDER OUT_FOLDER")
    convert(arguments[0], arguments[1])


if __name__ == "__main__":
    main(sys.argv[1:])
