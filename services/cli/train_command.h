// gridpilot train --target change --from DATE --to DATE --registry DIR
//                 [--every_days N] [--training_days N] [--demand_csv FILE] [--price_csv FILE]
// Walk-forward training of the net-load change models: for each cut-off C = from,
// from + N days, ... up to --to, trains on the --training_days before C only, scores the
// set out of sample on [C, next cut-off) against persistence and seasonal naive, and
// publishes it in the registry with its metadata (features, training window, parameters,
// validation metrics). Cut-offs already published are left as they are. The forecast
// service serves the newest set trained before its replay (gridpilot-forecast --registry)
// and reloads on ReloadModel. Exit 0 done, 1 failure, 2 bad arguments.
#ifndef GRIDPILOT_SERVICES_CLI_TRAIN_COMMAND_H_
#define GRIDPILOT_SERVICES_CLI_TRAIN_COMMAND_H_

#include <map>
#include <string>

namespace gridpilot {

int RunTrainCommand(const std::map<std::string, std::string>& options);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_TRAIN_COMMAND_H_
