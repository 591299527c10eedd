// RmCore: restart and recovery (Hadoop's RMStateStore recovery and work-preserving RM restart).
// See RmCore::Recover in rm_core.h for the contract.
#include <algorithm>
#include <iostream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/token.h"
#include "resourcemanager/core/rm_core.h"

namespace skein::rm {
namespace {

constexpr int32_t kAmPriority = 0;  // as rm_core.cc: the AM's ask and container

bool AttemptIsFinal(proto::YarnApplicationAttemptState s) {
  return s == proto::APP_ATTEMPT_FINISHED || s == proto::APP_ATTEMPT_FAILED ||
         s == proto::APP_ATTEMPT_KILLED;
}

bool AppIsFinal(proto::YarnApplicationState s) {
  return s == proto::FINISHED || s == proto::FAILED || s == proto::KILLED;
}

}  // namespace

std::string RmCore::AmrmToken(const ApplicationAttemptId& id) const {
  return HexEncode(HmacSha256(amrm_key_, id.ToString()));
}

absl::Status RmCore::Recover() {
  auto epoch = store_.GetAndIncrementEpoch();
  if (!epoch.ok()) {
    return absl::Status(epoch.status().code(),
                        absl::StrCat(store_.Name(), ": ", epoch.status().message()));
  }
  epoch_ = *epoch;
  scheduler_.set_container_epoch(epoch_);
  auto state = store_.Load();
  if (!state.ok()) {
    return absl::Status(state.status().code(), absl::StrCat("recovering from ", store_.Name(), ": ",
                                                            state.status().message()));
  }
  // Keep the keys running AMs and NodeManagers already hold; a fresh store gets ours.
  if (!state->secrets.amrm_token_master_key().empty()) {
    amrm_key_ = state->secrets.amrm_token_master_key();
  }
  if (!state->secrets.container_token_master_key().empty()) {
    master_key_ = state->secrets.container_token_master_key();
  }
  proto::RMSecretsProto secrets;
  secrets.set_amrm_token_master_key(amrm_key_);
  secrets.set_container_token_master_key(master_key_);
  if (absl::Status s = store_.StoreSecrets(secrets); !s.ok()) return s;
  if (!config_.recovery_enabled) return absl::OkStatus();

  // Finished apps first, in the order they finished, so retirement drops the oldest.
  std::vector<std::pair<int64_t, ApplicationId>> finished;
  for (const auto& [id, stored] : state->apps) {
    // Ids this RM hands out must not collide with recovered ones (same cluster timestamp only if
    // the clock went back or two starts fell in one millisecond).
    if (id.cluster_timestamp() == cluster_timestamp_) {
      next_app_id_ = std::max(next_app_id_, id.id() + 1);
    }
    RecoverApp(id, stored);
    const App* app = FindApp(id);
    if (app == nullptr) continue;
    ++web_counters_.apps_submitted;  // as Hadoop's metrics, recovered apps count again
    // Only apps stored final (one that fails on recovery went through FinishApp already).
    if (!AppIsFinal(stored.app.application_state())) continue;
    if (app->state == proto::FINISHED) ++web_counters_.apps_completed;
    if (app->state == proto::FAILED) ++web_counters_.apps_failed;
    if (app->state == proto::KILLED) ++web_counters_.apps_killed;
    finished.emplace_back(app->finish_time, id);
  }
  std::sort(finished.begin(), finished.end());
  for (const auto& [time, id] : finished) {
    completed_apps_.push_back(id);
    completed_in_store_.push_back(id);
  }
  RetireCompletedApps();

  std::vector<ApplicationAttemptId> awaiting_am;
  for (const auto& [id, app] : apps_) {
    Attempt* a = app->current();
    if (app->done() || a == nullptr || a->state != proto::APP_ATTEMPT_LAUNCHED) continue;
    awaiting_am.push_back(a->id);
    awaited_nodes_.insert(NodeId::FromProto(a->am_container.node_id()));
  }
  if (config_.work_preserving_recovery) {
    scheduling_held_ = true;
    scheduling_hold_until_ = clock_.NowMillis() + config_.recovery_scheduling_wait_ms;
    loop_.PostDelayed(absl::Milliseconds(config_.recovery_scheduling_wait_ms),
                      [this] { RunScheduling(); });
    if (!awaiting_am.empty()) {
      loop_.PostDelayed(absl::Milliseconds(config_.nm_expiry_ms),
                        [this, awaiting_am] { ExpireUnreportedAms(awaiting_am); });
    }
  }
  std::cerr << "ResourceManager: recovered " << apps_.size() << " application(s) from "
            << store_.Name() << " (epoch " << epoch_ << ", "
            << (config_.work_preserving_recovery ? "work-preserving" : "not work-preserving") << ")"
            << std::endl;
  return absl::OkStatus();
}

void RmCore::RecoverApp(const ApplicationId& id, const RMState::App& stored) {
  const proto::ApplicationStateDataProto& data = stored.app;
  auto app = std::make_unique<App>();
  app->id = id;
  app->context = data.application_submission_context();
  app->user = data.user();
  app->queue = !data.queue().empty()           ? data.queue()
               : !app->context.queue().empty() ? app->context.queue()
                                               : "default";
  app->state = data.application_state();
  app->final_status = data.final_status();
  app->diagnostics = data.diagnostics();
  app->submit_time = data.submit_time();
  app->start_time = data.start_time();
  app->launch_time = data.launch_time();
  app->finish_time = data.finish_time();
  int32_t wanted = app->context.max_app_attempts();
  app->max_attempts =
      (wanted <= 0 || wanted > config_.am_max_attempts) ? config_.am_max_attempts : wanted;
  app->am_resource =
      calc_.Normalize(Resource::FromProto(app->context.resource()), config_.minimum_allocation,
                      config_.maximum_allocation, config_.minimum_allocation);
  for (const auto& [number, d] : stored.attempts) {
    // Attempts are numbered from 1 without gaps; a hole (a write lost) gets a failed stand-in.
    while (static_cast<int32_t>(app->attempts.size()) < number) {
      auto a = std::make_unique<Attempt>();
      a->id = ApplicationAttemptId(id, static_cast<int32_t>(app->attempts.size()) + 1);
      a->token = AmrmToken(a->id);
      tokens_[a->token] = a->id;
      a->state = proto::APP_ATTEMPT_FAILED;
      if (a->id.attempt_id() == number) {
        a->state = d.app_attempt_state();
        a->has_am_container = d.has_master_container();
        if (a->has_am_container) a->am_container = d.master_container();
        a->host = d.host().empty() ? "N/A" : d.host();
        a->rpc_port = d.host().empty() ? -1 : d.rpc_port();
        a->tracking_url = d.tracking_url();
        a->diagnostics = d.diagnostics();
        a->final_status = d.final_application_status();
        a->am_exit_status = d.am_container_exit_status();
        a->start_time = d.start_time();
        a->finish_time = d.finish_time();
        if (a->state == proto::APP_ATTEMPT_FAILED && CountsTowardsMaxAttempts(a->am_exit_status)) {
          ++app->counted_failures;
        }
      }
      app->attempts.push_back(std::move(a));
    }
  }
  App& ref = *app;
  apps_[id] = std::move(app);
  if (AppIsFinal(ref.state)) {
    // An attempt cut short by the crash ends with its app.
    if (Attempt* a = ref.current(); a != nullptr && !AttemptIsFinal(a->state)) {
      a->state =
          ref.state == proto::FINISHED ? proto::APP_ATTEMPT_FINISHED : proto::APP_ATTEMPT_KILLED;
      if (a->finish_time == 0) a->finish_time = ref.finish_time;
    }
    return;
  }
  Attempt* current = ref.current();
  const bool am_launched = current != nullptr && current->has_am_container &&
                           (current->state == proto::APP_ATTEMPT_ALLOCATED ||
                            current->state == proto::APP_ATTEMPT_LAUNCHED ||
                            current->state == proto::APP_ATTEMPT_RUNNING ||
                            current->state == proto::APP_ATTEMPT_FINISHING);
  if (am_launched && config_.work_preserving_recovery) {
    auto queue =
        scheduler_.AddAttempt(current->id, ref.queue, ref.user, ref.context.priority().priority());
    if (queue.ok()) {
      ref.queue = *queue;
      // The AM keeps running; it re-registers when its next Allocate is refused.
      current->state = proto::APP_ATTEMPT_LAUNCHED;
      recovered_attempts_.insert(current->id);
      return;
    }
    std::cerr << "ResourceManager: recovering " << current->id.ToString()
              << ": the scheduler refused it (" << queue.status().message()
              << "); starting a new attempt" << std::endl;
  }
  if (current != nullptr && !AttemptIsFinal(current->state)) {
    // Not work-preserving, or the AM was never launched: this attempt ends without counting.
    // Its AM (if any) is told to shut down when it calls, and its NodeManager stops it when it
    // re-registers with a container this RM does not know.
    current->state = proto::APP_ATTEMPT_FAILED;
    current->finish_time = clock_.NowMillis();
    current->am_exit_status = proto::ABORTED;
    current->shutdown = true;
    current->diagnostics = absl::StrCat(
        "Attempt ", current->id.ToString(), " ended because the ResourceManager restarted",
        config_.work_preserving_recovery ? " before its AM container was launched"
                                         : " (work-preserving recovery is off)");
    PersistAttempt(ref, *current);
  }
  if (ref.state == proto::NEW || ref.state == proto::NEW_SAVING) ref.state = proto::SUBMITTED;
  StartAttempt(ref);
}

void RmCore::RecoverNodeContainers(Node& node, const proto::RegisterNodeManagerRequest& req,
                                   bool first_registration) {
  awaited_nodes_.erase(node.id);
  for (const auto& s : req.container_statuses()) {
    ContainerId cid = ContainerId::FromProto(s.container_id());
    App* app = FindApp(cid.application_id());
    Attempt* attempt = FindAttempt(cid.application_attempt_id());
    const bool live = first_registration &&
                      recovered_attempts_.contains(cid.application_attempt_id()) &&
                      app != nullptr && attempt != nullptr && !app->done() &&
                      app->current() == attempt && !AttemptIsFinal(attempt->state) &&
                      attempt->state != proto::APP_ATTEMPT_FINISHING && !containers_.contains(cid);
    const bool is_am = live && attempt->has_am_container &&
                       ContainerId::FromProto(attempt->am_container.id()) == cid;
    if (s.state() == proto::C_COMPLETE) {
      if (!live) continue;  // nothing waits for it (a completion the RM already handled)
      if (is_am) {
        OnAmContainerFinished(*app, *attempt, s);  // the AM ended while the RM was down
      } else {
        attempt->new_completions.push_back(s);
        news_.Bump(attempt->id);
      }
      continue;
    }
    if (live) {
      Allocation c;
      c.container_id = cid;
      c.node = node.id;
      c.resource = Resource::FromProto(s.capability());
      if (is_am && c.resource.memory_mb <= 0) c.resource = app->am_resource;
      c.priority = is_am ? kAmPriority : 0;
      absl::Status st = scheduler_.RecoverContainer(attempt->id, c, is_am);
      if (st.ok()) {
        RMContainer rc{cid, node.id, c.resource, c.priority, is_am, clock_.NowMillis()};
        containers_[cid] = rc;
        app->live_containers.insert(cid);
        app->nodes_used.insert(node.id);
        node.containers.insert(cid);
        continue;
      }
      std::cerr << "ResourceManager: cannot recover " << cid.ToString() << " on "
                << node.id.ToString() << ": " << st.message() << "; stopping it" << std::endl;
    }
    node.to_cleanup.push_back(cid);  // not ours (any more): stop it
  }
}

bool RmCore::SchedulingHeld() {
  if (clock_.NowMillis() >= scheduling_hold_until_ || awaited_nodes_.empty()) {
    scheduling_held_ = false;
  }
  return scheduling_held_;
}

void RmCore::ExpireUnreportedAms(const std::vector<ApplicationAttemptId>& attempts) {
  for (const ApplicationAttemptId& id : attempts) {
    App* app = FindApp(id.application_id());
    Attempt* attempt = FindAttempt(id);
    if (app == nullptr || attempt == nullptr || app->done() || app->current() != attempt ||
        AttemptIsFinal(attempt->state)) {
      continue;
    }
    ContainerId am = ContainerId::FromProto(attempt->am_container.id());
    if (containers_.contains(am)) continue;
    // Its node never came back (YARN: the node expires and the AM container is ABORTED), so
    // the attempt fails without counting and a new one starts.
    attempt->am_exit_status = proto::ABORTED;
    FailAttempt(*app, *attempt,
                absl::StrCat("AM container ", am.ToString(), " of ", id.ToString(),
                             " was not reported by any NodeManager within ", config_.nm_expiry_ms,
                             " ms after the ResourceManager restarted"),
                proto::ABORTED);
  }
}

}  // namespace skein::rm
