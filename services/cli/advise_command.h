// `gridpilot advise`: flexibility advice for a site or a region from a load file, and its
// honest score over past days (core/advice). Reads the files, calls the core, writes
//   PREFIX.csv   advice: one row per half-hour of the advised day
//                  interval_start,forecast_load_<u>,price_gbp_per_mwh,move_out_<u>,
//                  move_in_<u>,load_after_<u>,battery_charge_<u>,battery_discharge_<u>,
//                  battery_stored_<u>h
//                score: one row per scored day (see WriteScoreCsv in the .cc)
//   PREFIX.json  the same figures and the summary
// and prints a readable summary. <u> is kw or mw (--unit).
#ifndef GRIDPILOT_SERVICES_CLI_ADVISE_COMMAND_H_
#define GRIDPILOT_SERVICES_CLI_ADVISE_COMMAND_H_

#include <map>
#include <string>

namespace gridpilot {

// Options (keys without "--"):
//   input, column, out        required (out is a prefix)
//   time-column               default: the file's first column
//   unit                      kw (a site, default) or mw (a region): the unit of the column,
//                             of --peak_limit and of the battery
//   prices, price_column      a half-hourly price file (£/MWh, default column Price), or
//   tariff                    a time-of-use tariff (core/advice/tariff.h); exactly one
//   flexible_share            share of load that can move, [0, 1], default 0.2
//   peak_limit                peak limit in the unit; default: the peak_percentile-th
//   peak_percentile           percentile (default 90) of the day's forecast load
//   date                      the advised day (YYYY-MM-DD); default the day after the
//                             last load value
//   battery_capacity          usable battery energy, kWh or MWh (no battery when unset),
//   battery_power             its power limit (default capacity / 2),
//   battery_efficiency        round trip, (0, 1], default 0.9,
//   battery_wear_gbp_per_mwh  throughput cost, default 0
//   score, from, to           score the advice on every day from..to instead
// Returns 0 done, 1 on a data or I/O error (stderr names file, line and field), 2 on bad
// arguments.
int RunAdviseCommand(const std::map<std::string, std::string>& options);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_ADVISE_COMMAND_H_
