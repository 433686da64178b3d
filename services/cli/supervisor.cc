#include "services/cli/supervisor.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/time_util.h"

namespace gridpilot {

const char* ProcessStateName(ProcessState state) {
  switch (state) {
    case ProcessState::kRunning: return "running";
    case ProcessState::kRestarting: return "restarting";
    case ProcessState::kGivenUp: return "given_up";
  }
  return "unknown";
}

double RestartEvent::RecoverySeconds() const {
  return recovered.has_value() ? absl::ToDoubleSeconds(*recovered - exited) : -1.0;
}

SupervisedProcess* Supervisor::Mutable(const std::string& name) {
  for (SupervisedProcess& p : processes_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const SupervisedProcess* Supervisor::Find(const std::string& name) const {
  for (const SupervisedProcess& p : processes_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

void Supervisor::Started(const std::string& name, int pid) {
  SupervisedProcess* p = Mutable(name);
  if (p == nullptr) {
    processes_.push_back({});
    p = &processes_.back();
    p->name = name;
  }
  p->pid = pid;
  p->state = ProcessState::kRunning;
}

ExitDecision Supervisor::Exited(const std::string& name, const std::string& exit_description,
                                absl::Time now) {
  ExitDecision decision;
  SupervisedProcess* p = Mutable(name);
  if (p == nullptr) {
    decision.give_up = true;
    return decision;
  }
  p->last_exit = exit_description;
  while (!p->exits_in_window.empty() && now - p->exits_in_window.front() > policy_.window) {
    p->exits_in_window.pop_front();
  }
  if (static_cast<int>(p->exits_in_window.size()) >= policy_.max_restarts) {
    p->state = ProcessState::kGivenUp;
    decision.give_up = true;
    return decision;
  }
  p->exits_in_window.push_back(now);
  // 1st restart in the window waits first_backoff, each further one twice as long.
  absl::Duration backoff = policy_.first_backoff;
  for (size_t i = 1; i < p->exits_in_window.size() && backoff < policy_.max_backoff; ++i) {
    backoff *= 2;
  }
  backoff = std::min(backoff, policy_.max_backoff);
  p->state = ProcessState::kRestarting;
  p->restart_due = now + backoff;
  p->restarts += 1;
  p->last_restart = p->restart_due;
  decision.restart_at = p->restart_due;
  decision.restart_number = static_cast<int>(p->exits_in_window.size());
  RestartEvent event;
  event.process = name;
  event.exit_description = exit_description;
  event.restart_number = p->restarts;
  event.exited = now;
  events_.push_back(event);
  return decision;
}

std::vector<std::string> Supervisor::DueForRestart(absl::Time now) const {
  std::vector<std::string> due;
  for (const SupervisedProcess& p : processes_) {
    if (p.state == ProcessState::kRestarting && p.restart_due <= now) due.push_back(p.name);
  }
  return due;
}

double Supervisor::Recovered(const std::string& name, absl::Time now) {
  for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
    if (it->process != name) continue;
    if (it->recovered.has_value()) return -1.0;
    it->recovered = now;
    return it->RecoverySeconds();
  }
  return -1.0;
}

bool Supervisor::AnyGivenUp() const {
  return std::any_of(processes_.begin(), processes_.end(),
                     [](const SupervisedProcess& p) { return p.state == ProcessState::kGivenUp; });
}

nlohmann::json Supervisor::StatusJson() const {
  nlohmann::json processes = nlohmann::json::array();
  for (const SupervisedProcess& p : processes_) {
    nlohmann::json entry = {{"name", p.name},
                            {"pid", p.pid},
                            {"state", ProcessStateName(p.state)},
                            {"restarts", p.restarts},
                            {"last_exit", p.last_exit}};
    entry["last_restart_utc"] = p.last_restart.has_value()
                                    ? nlohmann::json(base::FormatUtcTimestamp(*p.last_restart))
                                    : nlohmann::json(nullptr);
    processes.push_back(entry);
  }
  return {{"processes", processes}};
}

std::string Supervisor::Describe(const std::string& name, const ExitDecision& decision) const {
  const SupervisedProcess* p = Find(name);
  const std::string exit = p == nullptr ? "unknown" : p->last_exit;
  if (decision.give_up) {
    return absl::StrCat(name, " exited: ", exit, "; given up after ", policy_.max_restarts,
                        " restarts within ", absl::FormatDuration(policy_.window));
  }
  const absl::Duration backoff =
      p == nullptr ? absl::ZeroDuration() : decision.restart_at - p->exits_in_window.back();
  return absl::StrFormat("%s exited: %s; restarting in %.1f s (%d of %d)", name, exit,
                         absl::ToDoubleSeconds(backoff), decision.restart_number,
                         policy_.max_restarts);
}

}  // namespace gridpilot
