#!/usr/bin/env python3
"""Derives household_load_15min_local_2007-02_03.csv from the team's full copy of the UCI
household meter (../shared/data/household_power_1min_2007Q1.csv).

Documentation of how the shipped file was made; nothing in the build runs it.
Usage: data/make_household_15min.py [SOURCE_DIR]   (default: ../shared/data next to the repo)

Takes the minutes from 2007-02-01T00:00Z to the end of the source (2007-03-31T22:59Z), groups
them into quarter-hours by their timestamp_utc, and writes one row per quarter-hour: the start
of the quarter-hour in Europe/London local time (no offset, "YYYY-MM-DD HH:MM") and the mean of
Global_active_power over its 15 minutes, in kW, to 4 decimals. A quarter-hour with some
minutes missing gets an empty value; one with every minute missing gets no row (a gap). The
UK clocks went forward at 2007-03-25T01:00Z, so local 01:00-01:45 that day never appear.
"""
import csv
import datetime
import os
import sys
import zoneinfo

here = os.path.dirname(os.path.abspath(__file__))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "data")
london = zoneinfo.ZoneInfo("Europe/London")
start = datetime.datetime(2007, 2, 1, tzinfo=datetime.timezone.utc)

bins = {}  # quarter-hour start (UTC) -> list of readings (None when missing)
with open(os.path.join(src, "household_power_1min_2007Q1.csv"), newline="") as f:
    for row in csv.DictReader(f):
        t = datetime.datetime.strptime(row["timestamp_utc"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc)
        if t < start:
            continue
        q = t.replace(minute=t.minute - t.minute % 15)
        v = row["Global_active_power"]
        bins.setdefault(q, []).append(float(v) if v != "" else None)

with open(os.path.join(here, "household_load_15min_local_2007-02_03.csv"), "w", newline="") as out:
    out.write("local_time,load_kw\n")
    for q in sorted(bins):
        values = bins[q]
        present = [v for v in values if v is not None]
        if not present:
            continue
        local = q.astimezone(london).strftime("%Y-%m-%d %H:%M")
        value = f"{sum(present) / 15:.4f}" if len(present) == 15 else ""
        out.write(f"{local},{value}\n")
