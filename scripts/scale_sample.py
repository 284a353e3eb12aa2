#!/usr/bin/env python3
"""Writes the scale test of docs/performance.md into the current folder:
big.csv (10 years of 5-minute calls, 24 h x 7 days, 1,052,352 rows), media.csv
(a TV spot every third evening), plan.csv (one spot next week) and big.toml.

    python3 scripts/scale_sample.py && ringcast forecast --history big.csv \
        --media media.csv --media-plan plan.csv --config big.toml --out f.csv
"""
import datetime as dt
import math
import random

random.seed(1)
start = dt.datetime(2016, 11, 21)
days = 3654
with open("big.csv", "w") as f:
    f.write("interval_start,calls\n")
    for d in range(days):
        day = start + dt.timedelta(days=d)
        level = 1 + 0.1 * math.cos(2 * math.pi * day.timetuple().tm_yday / 365.25)
        for s in range(288):
            h = s / 12
            mu = level * (2 + 8 * math.exp(-(((h - 11) / 3) ** 2)) + 5 * math.exp(-(((h - 17) / 3) ** 2)))
            calls = max(0, int(random.gauss(mu, math.sqrt(mu)) + 0.5))
            f.write(f"{day + dt.timedelta(minutes=5 * s):%Y-%m-%d %H:%M},{calls}\n")
last = start + dt.timedelta(days=days - 1)
with open("media.csv", "w") as f:
    f.write("channel,start,spend,grps\n")
    d = start
    while d < last:
        air = d + dt.timedelta(hours=20, minutes=random.randint(0, 59))
        f.write(f"tv,{air:%Y-%m-%d %H:%M},5000,{random.uniform(2, 8):.1f}\n")
        d += dt.timedelta(days=3)
with open("plan.csv", "w") as f:
    f.write("channel,start,spend,grps\ntv,2026-11-24 20:15,5000,5\n")
week = "\n".join(f'{d} = "00:00-24:00"' for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
with open("big.toml", "w") as f:
    f.write(f'name = "Big 24x7 centre"\ntimezone = "UTC"\ninterval_minutes = 5\ncurrency = "GBP"\n[opening_hours]\n{week}\n')
