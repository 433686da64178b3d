#!/bin/sh
# Regenerates the files in this directory from the team's full copies in ../shared/data.
# Documentation of how the shipped slices were made; nothing in the build runs it.
# Usage: data/make_slices.sh [SOURCE_DIR]   (default: ../shared/data next to the repo)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-$here/../../shared/data}

# Demand: keep 9 of the 22 columns (fields 1-5 and 7-10; field 6 is ENGLAND_WALES_DEMAND).
# The source has no quoted fields, so a plain cut keeps every value byte for byte.
cut -d, -f1-5,7-10 "$src/gb_demand_neso_2022_2023.csv" > "$here/gb_demand_2022_2023.csv"
expected='timestamp_utc,SETTLEMENT_DATE,SETTLEMENT_PERIOD,ND,TSD,EMBEDDED_WIND_GENERATION,EMBEDDED_WIND_CAPACITY,EMBEDDED_SOLAR_GENERATION,EMBEDDED_SOLAR_CAPACITY'
if [ "$(head -n 1 "$here/gb_demand_2022_2023.csv")" != "$expected" ]; then
  echo "unexpected column layout in $src/gb_demand_neso_2022_2023.csv" >&2
  exit 1
fi

# Price and day-ahead forecast: copied unchanged (the price file loses "_apx" in its name).
# install -m 644 rather than cp: the shared copies are read-only and cp would keep that mode.
install -m 644 "$src/gb_price_mid_apx_2022-10_2023-12.csv" "$here/gb_price_mid_2022-10_2023-12.csv"
install -m 644 "$src/gb_demand_forecast_dayahead_2022-10_2023-12.csv" \
  "$here/gb_demand_forecast_dayahead_2022-10_2023-12.csv"

# Household meter: timestamp_utc and Global_active_power only, for the rows whose logger
# clock (timestamp_local, field 2) is in January 2007. Fields are copied as text, unchanged.
awk -F, 'NR == 1 { print $1 "," $3; next } substr($2, 1, 7) == "2007-01" { print $1 "," $3 }' \
  "$src/household_power_1min_2007Q1.csv" > "$here/household_power_1min_2007-01.csv"
if [ "$(head -n 1 "$here/household_power_1min_2007-01.csv")" != "timestamp_utc,Global_active_power" ]; then
  echo "unexpected column layout in $src/household_power_1min_2007Q1.csv" >&2
  exit 1
fi

cd "$here" && sha256sum gb_demand_2022_2023.csv gb_price_mid_2022-10_2023-12.csv \
  gb_demand_forecast_dayahead_2022-10_2023-12.csv household_power_1min_2007-01.csv
