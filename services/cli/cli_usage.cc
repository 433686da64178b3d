#include "services/cli/cli_usage.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace gridpilot {
namespace {

constexpr char kStackOptions[] =
    R"(  --config FILE      gateway config: region, battery, peaker (default: built-in region)
  --run_dir DIR      logs, port files and the SQLite store (default /tmp/gridpilot-<pid>)
  --model_dir DIR    forecast model cache (default $GRIDPILOT_MODEL_DIR or
                     ~/.cache/gridpilot/models)
  --registry DIR     the forecast serves the newest set of this registry trained before the
                     replay (see train), and reloads on `gridpilot reload-model` (default none)
  --demand_csv FILE  NESO demand file (default: the shipped data/)
  --price_csv FILE   Elexon price file (default: the shipped data/)
  --day_ahead_csv FILE  NESO day-ahead demand forecast (default: the shipped data/; "none"
                     publishes none)
  --trader_risk_aversion A  the trader's risk settings, A in [0, 1] (default 0): it values
                     each MWh charged at its price forecast + A x the forecast's 90% interval
                     half-width and each MWh discharged at forecast - A x half-width
  --credentials DIR  the stack's credentials (gridpilot credentials init); every gRPC port
                     serves TLS with roles (default: RUN_DIR/credentials, made on first use)
  --store URL|FILE   the gateway's store: postgresql://USER[:PASSWORD]@HOST:PORT/DB (the
                     password is best in PGPASSWORD or ~/.pgpass) or a SQLite file; a run is
                     added to it (default: RUN_DIR/store.sqlite, new each run)
)";

constexpr char kOperatorOptions[] =
    R"(  --run_dir DIR      run directory of a running `gridpilot up` (reads its port files)
  --gateway, --forecast, --response, --trader HOST:PORT  a process's address (overrides
                     --run_dir)
  --json             print the protos' JSON mapping instead of text (default: text)
  --credentials DIR  the stack's credentials: TLS with ca.pem and ROLE.token (default:
                     RUN_DIR/credentials when it exists, else plaintext)
  --role ROLE        the token to present (default: viewer; operator for dispatch, approve
                     and reject; admin for reload-model)
)";

constexpr char kDataOptions[] =
    R"(  --demand_csv FILE  NESO demand file (default: the shipped data/)
  --price_csv FILE   Elexon price file (default: the shipped data/)
  --day_ahead_csv FILE  NESO day-ahead demand forecast (default: beside the demand file)
)";

constexpr char kDateNote[] = "DATE is a UTC day like 2023-01-01; --to is inclusive.\n";

struct CommandText {
  absl::string_view name;
  absl::string_view synopsis;  // the command line and what it does
  absl::string_view options;   // its own options with defaults
  absl::string_view shared;    // the option block it shares with other commands
};

const CommandText kCommands[] = {
    {"backtest",
     "gridpilot backtest --from DATE --to DATE [options]\n"
     "gridpilot backtest --resume RUN_DIR [--json FILE] [--html FILE] [--pdf FILE]\n"
     "  Starts the gateway, forecast, response and trader processes (and the MCP server,\n"
     "  RUN_DIR/mcp.port) on loopback, replays the window lock-step, stops them, prints a\n"
     "  summary and writes the reports. A process that dies is restarted (the whole stack,\n"
     "  the gateway resuming from its store; at most 3 restarts per process in 10 min) and\n"
     "  the report lists the restarts.\n",
     "  --from DATE        first day replayed (required)\n"
     "  --to DATE          last day replayed, inclusive (required)\n"
     "  --json FILE        write the JSON report here (default: none)\n"
     "  --html FILE        write a self-contained HTML report with the console's charts\n"
     "                     (default: none)\n"
     "  --pdf FILE         the same report as PDF, printed by headless Chromium\n"
     "                     (Debian's chromium; $GRIDPILOT_CHROMIUM names another)\n"
     "  --step_seconds S   simulated seconds per tick, dividing the region's interval\n"
     "                     (default: the interval, data.resolution_minutes; shorter runs\n"
     "                     the live simulator lock-step)\n"
     "  --resume RUN_DIR   continue the backtest recorded in RUN_DIR/run.json (its launcher\n"
     "                     was killed) from its store's last committed interval\n",
     kStackOptions},
    {"up",
     "gridpilot up [options]\n"
     "  Runs the stack live until Ctrl-C: one simulated step of --step_seconds every\n"
     "  --tick_seconds of wall time; any gRPC client can use the gateway address it prints,\n"
     "  and an MCP client the HTTP port in RUN_DIR/mcp.port (see gridpilot mcp).\n"
     "  A process that dies is restarted on the same port (0.5 s backoff doubling to 30 s,\n"
     "  given up after 3 restarts in 10 min); RUN_DIR/supervisor.json says who is up. Exits\n"
     "  0 only if the run ended as asked with every process running.\n",
     "  --from DATE        first day simulated (default 2023-01-01)\n"
     "  --to DATE          last day simulated, inclusive (default 2023-12-31)\n"
     "  --step_seconds S   simulated seconds per step, dividing 1800 (default 5)\n"
     "  --tick_seconds S   wall seconds per step (default: --step_seconds)\n"
     "  --telemetry URL    live telemetry in instead of the shipped data:\n"
     "                     mqtt://HOST:PORT/TOPIC or grpc (TelemetryService.Publish); with\n"
     "                     --telemetry_sources IDS, --telemetry_late_seconds S,\n"
     "                     --telemetry_silence_seconds S (see gridpilot publish)\n",
     kStackOptions},
    {"optimize",
     "gridpilot optimize --prices FILE.csv --from DATE --to DATE --out schedule.csv [options]\n"
     "  The perfect-foresight (hindsight) schedule of the configured battery on the actual\n"
     "  prices, written as CSV, with its objective in GBP.\n",
     "  --prices FILE.csv  Elexon price file (required)\n"
     "  --from DATE, --to DATE  the window (required)\n"
     "  --out FILE.csv     the schedule (required)\n"
     "  --config FILE      gateway config with the battery (default: the built-in battery)\n"
     "  --json FILE        every parameter used and the objective (default: none)\n"
     "  --soc_terminal_mwh X  stored energy at the end, MWh (default: the initial)\n",
     ""},
    {"forecast-eval",
     "gridpilot forecast-eval --target change|day-ahead|price --from DATE --to DATE --out "
     "FILE.csv [options]\n"
     "  Out-of-sample forecasts against baselines: change = net-load change 30 min-4 h\n"
     "  (persistence, seasonal naive); day-ahead = ND of each day issued at D-1 23:45 UTC\n"
     "  (persistence, seasonal naive, NESO day-ahead); price = the trader's forecast of the\n"
     "  next 48 half-hours (persistence, yesterday, seasonal naive).\n",
     "  --target T         change, day-ahead or price (required)\n"
     "  --from DATE, --to DATE  the evaluated window (required)\n"
     "  --out FILE.csv     every forecast and its outturn (required)\n"
     "  --model_dir DIR    model cache (default $GRIDPILOT_MODEL_DIR or\n"
     "                     ~/.cache/gridpilot/models)\n"
     "  --walk_forward monthly  refit at every month start on data before it; a table\n"
     "                     per month and the total\n"
     "  --months_out FILE.csv  with --walk_forward: the monthly table as CSV\n"
     "  --correction C     day-ahead walk-forward: NESO correction whole (default),\n"
     "                     rolling or gated (only lead bands that beat NESO before)\n"
     "  --rolling_months N  --correction rolling: months of slopes' window (default 3)\n"
     "  --config FILE      read the region of this launcher config (data layout, scale,\n"
     "                     day-ahead file, holidays) instead of the shipped GB files\n"
     "  --training_days N  --target change: days of history before --from (default 365)\n",
     kDataOptions},
    {"train",
     "gridpilot train --target change --from DATE --to DATE --registry DIR [options]\n"
     "  Walk-forward training: a model set per cut-off, trained only on the days before it,\n"
     "  scored on the period after it, published in the registry (gridpilot-forecast\n"
     "  --registry DIR).\n",
     "  --target change    the models trained (required; only change)\n"
     "  --from DATE, --to DATE  the first cut-off and the end of the last period (required)\n"
     "  --registry DIR     where model sets are published (required)\n"
     "  --every_days N     days between cut-offs (default 30)\n"
     "  --training_days N  days of history before each cut-off (default 365)\n"
     "  --config FILE      read the region of this launcher config (data layout, scale,\n"
     "                     day-ahead file, holidays) instead of the shipped GB files\n",
     kDataOptions},
    {"publish",
     "gridpilot publish --to mqtt://HOST:PORT/TOPIC|grpc://HOST:PORT --from DATE [options]\n"
     "  Replays the shipped data as live telemetry for a gateway started with --telemetry.\n",
     "  --until DATE        end (exclusive; a date means its end; default from + 1 day)\n"
     "  --speed 60x|max     data seconds per wall second (default 60x)\n"
     "  --sample_seconds N  data seconds between samples, divides 1800 (default 60)\n"
     "  --source ID         meter id (default gridpilot-publish); --first_seq N (default 1)\n"
     "  --inject_step TIMESTAMP,MW,MINUTES   raise the net load by MW for MINUTES\n"
     "  --credentials DIR, --role R (default telemetry)   grpc:// to a stack with TLS\n",
     kDataOptions},
    {"advise",
     "gridpilot advise --input FILE.csv --column NAME (--prices FILE | --tariff FILE) --out "
     "PREFIX [options]\n"
     "  Flexibility advice for the day after the data (or --date): the peak half-hours, what\n"
     "  flexible load to move where, the forecast peak reduction and GBP saved, and when a\n"
     "  battery should buy and use energy. --score --from DATE --to DATE scores the advice\n"
     "  on each day as it happened instead. Writes PREFIX.csv and PREFIX.json.\n",
     "  --input FILE.csv, --column NAME  the load (required; --time-column default: first)\n"
     "  --unit kw|mw       the load's unit, also of --peak_limit and the battery (default kw)\n"
     "  --prices FILE.csv  half-hourly prices, GBP/MWh (--price_column, default Price), or\n"
     "  --tariff FILE.csv  a time-of-use tariff: start,end,pence_per_kwh (HH:MM, HH:MM, p)\n"
     "  --flexible_share X share of load that can move, [0, 1] (default 0.2)\n"
     "  --peak_limit P     the peak limit (default: --peak_percentile, 90, of the forecast)\n"
     "  --date DATE        the advised day (default: the day after the last reading)\n"
     "  --battery_capacity E  a battery of E kWh/MWh; --battery_power (default E/2),\n"
     "                     --battery_efficiency round trip (0.9), --battery_wear_gbp_per_mwh\n"
     "  --score --from DATE --to DATE  score advice made before each day on the actual day\n",
     ""},
    {"detect",
     "gridpilot detect --input FILE.csv --column NAME --out scores.csv [options]\n"
     "  Anomaly detection on one column of a CSV (Isolation Forest, seasonal residual, flat\n"
     "  lines): writes timestamp_utc,value,score,is_anomaly,kind,cause for every row.\n",
     "  --input FILE.csv   the series (required)\n"
     "  --column NAME      the column scored (required)\n"
     "  --out FILE.csv     the scores (required)\n"
     "  --time-column NAME  the timestamp column (default timestamp_utc)\n"
     "  --train FILE.csv   fit on this file instead of the input (default: the input)\n"
     "  --contamination X  expected share of anomalies, (0, 0.5] (default 0.01)\n"
     "  --residual-threshold Z  robust z of a flagged residual (default 4)\n"
     "  --flat-rows N      equal readings in a row that make a flat line (default: an hour,\n"
     "                     at least 4)\n"
     "  --seed N           the forest's seed (default 42)\n"
     "  --features FILE.csv  also write the features scored (default: none)\n",
     ""},
    {"status",
     "gridpilot status [options]\n"
     "  The clock, the agents with their answer latency, and the response and trader state.\n",
     "", kOperatorOptions},
    {"assets",
     "gridpilot assets [options]\n"
     "  The asset registry: SoC, output, status and what is scheduled.\n",
     "", kOperatorOptions},
    {"events",
     "gridpilot events [--limit N] [options]\n"
     "  Ramp events and episodes from the response agent, newest last.\n",
     "  --limit N          newest N (default 20)\n", kOperatorOptions},
    {"forecast",
     "gridpilot forecast [options]\n"
     "  The latest net-load change forecast, why (SHAP) and the verdict on its base.\n",
     "", kOperatorOptions},
    {"advice",
     "gridpilot advice [--date DATE] [options]\n"
     "  The forecast process's flexibility advice on the region's own series up to the\n"
     "  stack's clock: what to move where, the peak reduction and GBP saved, a battery plan.\n",
     "  --date DATE        the advised day (default: the day after the latest interval)\n"
     "  --flexible_share X (default 0.05), --peak_limit_mw P (default: --peak_percentile 90)\n"
     "  --battery_capacity_mwh E, --battery_power_mw P  a battery to plan (default: none)\n",
     kOperatorOptions},
    {"anomalies",
     "gridpilot anomalies [--limit N] [--kind KIND] [options]\n"
     "  The anomaly detectors' flagged readings, newest last.\n",
     "  --limit N          newest N (default 20)\n"
     "  --kind KIND        spike, drop, flat_line, missing or false_data (default: all)\n",
     kOperatorOptions},
    {"pnl",
     "gridpilot pnl [options]\n"
     "  The ledger by cause and the trader's P&L against perfect foresight (hindsight).\n",
     "", kOperatorOptions},
    {"schedule",
     "gridpilot schedule [--limit N] [options]\n"
     "  The trader's current plan, why, and the prices it planned on.\n",
     "  --limit N          first N intervals (default 12)\n", kOperatorOptions},
    {"reload-model",
     "gridpilot reload-model [options]\n"
     "  Makes the forecast serve the newest model set of its registry.\n",
     "", kOperatorOptions},
    {"models",
     "gridpilot models [options]\n"
     "  The forecast's models, oldest first: where each came from (startup, registry,\n"
     "  retrain, reload), its training cut-off, the first issue time it served, its age on\n"
     "  the stack's clock, what its training cost; and the retraining schedule.\n",
     "", kOperatorOptions},
    {"audit",
     "gridpilot audit [--kind KIND] [--since T] [--limit N] [options]\n"
     "  The audit log's newest rows, newest first: calls refused by any server (with who\n"
     "  and the role), response threshold changes and forecast model reloads.\n",
     "  --kind KIND        refusal, thresholds, model_reload or mcp_call (default: all)\n"
     "  --since T          a UTC time (2026-12-06T15:00:00Z) or a duration back (90m)\n"
     "  --limit N          newest N, at most 1000 (default 20)\n",
     kOperatorOptions},
    {"dispatch",
     "gridpilot dispatch --asset ID --power_mw X [options]\n"
     "  One operator proposal through the gateway's arbiter from the gateway's clock on;\n"
     "  asks for confirmation (type yes) unless --yes.\n",
     "  --asset ID         the asset, e.g. battery-1 (required)\n"
     "  --power_mw X       MW; battery > 0 discharge, < 0 charge; peaker >= 0 (required)\n"
     "  --minutes M        lease length (default 30)\n"
     "  --priority P       resilience or trading (default resilience)\n"
     "  --reason TEXT      for the audit log (default: operator dispatch from the gridpilot "
     "CLI)\n"
     "  --yes              submit without asking\n",
     kOperatorOptions},
    {"approvals",
     "gridpilot approvals [options]\n"
     "  The proposals the gateway holds for an operator because they were beyond their\n"
     "  caller's limits (the gateway config's \"limits\"), with why and when each lapses.\n",
     "", kOperatorOptions},
    {"approve",
     "gridpilot approve ID [--reason TEXT] [options]\n"
     "  Submits held proposal ID to the arbiter under its proposer's identity, recording you\n"
     "  as the approver. The proposer cannot approve its own.\n",
     "  --reason TEXT      for the audit log (default none)\n", kOperatorOptions},
    {"reject",
     "gridpilot reject ID [--reason TEXT] [options]\n"
     "  Drops held proposal ID; it is never applied.\n",
     "  --reason TEXT      for the audit log (default none)\n", kOperatorOptions},
    {"credentials",
     "gridpilot credentials init DIR\n"
     "  Makes a stack's credentials in DIR (0700): a local CA (ca.pem), a certificate and key\n"
     "  per process, a bearer token per role (viewer, operator, trader, response, ai-agent,\n"
     "  admin: ROLE.token, 0600) and tokens.sha256 (their hashes, for the servers). Refuses\n"
     "  a DIR that already holds a CA.\n",
     "  init DIR           the directory to create (required)\n", ""},
    {"mcp",
     "gridpilot mcp --stdio --run_dir DIR [--role ROLE]\n"
     "  The MCP server of a running stack on stdin/stdout, for a desktop MCP client to launch\n"
     "  (gridpilot-mcp; `up` and `backtest` also serve it over HTTP, port in DIR/mcp.port).\n",
     "  --stdio            serve MCP on stdin/stdout (only JSON-RPC on stdout, logs on stderr)\n"
     "  --run_dir DIR      run directory of a running `gridpilot up` (port files, credentials)\n"
     "  --role ROLE        act with DIR/credentials/ROLE.token (default ai-agent)\n"
     "  --token_file FILE  act with the token in FILE instead\n",
     ""},
};

}  // namespace

std::string CliUsage() {
  std::string out = "usage: gridpilot COMMAND [options]; gridpilot COMMAND --help for one\n";
  for (const CommandText& command : kCommands) {
    absl::StrAppend(&out, "  ", command.synopsis);
  }
  absl::StrAppend(&out, kDateNote);
  return out;
}

std::string CommandUsage(absl::string_view name) {
  for (const CommandText& command : kCommands) {
    if (command.name != name) continue;
    std::string out = absl::StrCat("usage: ", command.synopsis, "options:\n", command.options,
                                   command.shared, "  --help, -h         print this and exit\n");
    if (absl::StrContains(command.options, "DATE")) absl::StrAppend(&out, kDateNote);
    return out;
  }
  return "";
}

bool WantsHelp(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return true;
  }
  return false;
}

}  // namespace gridpilot
