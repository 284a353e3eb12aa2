#!/usr/bin/env python3
"""Check a roster.csv against agents.csv: every rule the roster promises.

usage: python3 scripts/check_roster.py agents.csv roster.csv [min_rest_hours]

One shift a day, at most max_days days and max_weekly_hours hours, the minimum
rest between consecutive shifts (default 11 h), starts and ends within the
agent's window and days, and (with a queue column) only the agent's queues.
Prints each breach and exits 1 if there is any.
"""
import csv, sys
from collections import defaultdict
from datetime import datetime, timedelta

agents = {r["id"]: r for r in csv.DictReader(open(sys.argv[1]))}
rest_h = float(sys.argv[3]) if len(sys.argv) > 3 else 11.0
shifts = defaultdict(list)
for r in csv.DictReader(open(sys.argv[2])):
    if r["agent_id"] != "UNFILLED":
        shifts[r["agent_id"]].append(r)
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

def days_of(text):
    text = text.strip().lower()
    if "-" in text:
        a, b = text.split("-")
        return DAYS[DAYS.index(a):DAYS.index(b) + 1]
    return [d for d in text.replace(";", ",").replace(" ", ",").split(",") if d]

breaches = 0
def breach(msg):
    global breaches
    breaches += 1
    print(msg)

for aid, rows in shifts.items():
    a = agents[aid]
    spans = []
    for r in rows:
        start = datetime.strptime(r["day"] + " " + r["start"], "%Y-%m-%d %H:%M")
        end = datetime.strptime(r["day"] + " " + r["end"], "%Y-%m-%d %H:%M")
        if end <= start:
            end += timedelta(days=1)
        spans.append((start, end, r))
        if DAYS[start.weekday()] not in days_of(a.get("available_days") or "mon-sun"):
            breach(f"{aid}: works {r['day']}, not one of their days")
        if a.get("earliest_start") and r["start"] < a["earliest_start"]:
            breach(f"{aid}: starts {r['start']} before {a['earliest_start']}")
        if a.get("latest_end") and r["end"] > a["latest_end"]:
            breach(f"{aid}: ends {r['end']} after {a['latest_end']}")
        queues = [q for q in (a.get("queues") or "").replace("|", ";").replace(" ", ";").split(";") if q]
        if "queue" in r and queues and r["queue"] not in queues:
            breach(f"{aid}: works queue {r['queue']}, not one of {queues}")
    spans.sort(key=lambda s: s[0])
    days = [s[0].date() for s in spans]
    if len(set(days)) != len(days):
        breach(f"{aid}: two shifts on one day")
    if len(spans) > int(float(a["max_days"])):
        breach(f"{aid}: {len(spans)} days, max {a['max_days']}")
    hours = sum(float(s[2]["paid_hours"]) for s in spans)
    if hours > float(a["max_weekly_hours"]) + 1e-9:
        breach(f"{aid}: {hours} h, max {a['max_weekly_hours']}")
    for x, y in zip(spans, spans[1:]):
        if (y[0] - x[1]) < timedelta(hours=rest_h):
            breach(f"{aid}: {(y[0] - x[1])} rest before {y[0]}")
print(f"{len(shifts)} agents rostered, {sum(len(v) for v in shifts.values())} shifts, {breaches} breaches")
sys.exit(1 if breaches else 0)
