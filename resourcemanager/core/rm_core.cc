#include "resourcemanager/core/rm_core.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/token.h"

namespace skein::rm {
namespace {

constexpr int32_t kAmPriority = 0;

proto::ContainerStatusProto CompletedStatus(const ContainerId& id, int32_t exit_status,
                                            const std::string& diagnostics) {
  proto::ContainerStatusProto s;
  *s.mutable_container_id() = id.ToProto();
  s.set_state(proto::C_COMPLETE);
  s.set_exit_status(exit_status);
  s.set_diagnostics(diagnostics);
  return s;
}

}  // namespace

bool CountsTowardsMaxAttempts(int32_t exit_status) {
  return exit_status != proto::ABORTED && exit_status != proto::PREEMPTED &&
         exit_status != proto::DISKS_FAILED && exit_status != proto::KILLED_BY_RESOURCEMANAGER;
}

uint64_t AttemptNews::Version(const ApplicationAttemptId& a) {
  std::lock_guard<std::mutex> lock(mu_);
  return versions_[a];
}

void AttemptNews::Bump(const ApplicationAttemptId& a) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++versions_[a];
  }
  changed_.notify_all();
}

void AttemptNews::Forget(const ApplicationAttemptId& a) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = versions_.find(a);
    if (it != versions_.end()) ++it->second;  // wake waiters; entry reused if asked again
  }
  changed_.notify_all();
}

bool AttemptNews::WaitForChange(const ApplicationAttemptId& a, uint64_t seen,
                                absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                           [this, &a, seen] { return versions_[a] != seen; });
}

RmCore::RmCore(const RmConfig& config, Clock& clock, EventLoop& loop, Scheduler& scheduler,
               const ResourceCalculator& calculator, RMStateStore& store, AmLauncher& launcher)
    : config_(config),
      clock_(clock),
      loop_(loop),
      scheduler_(scheduler),
      calc_(calculator),
      store_(store),
      launcher_(launcher),
      cluster_timestamp_(clock.NowMillis()),
      master_key_(RandomBytes(32)),
      amrm_key_(RandomBytes(32)),
      admin_acl_(QueueAcl::Parse(config.admin_acl)) {
  gate_->loop = &loop_;
}

RmCore::~RmCore() {
  std::lock_guard<std::mutex> lock(gate_->mu);
  gate_->loop = nullptr;
}

void RmCore::Start() {
  loop_.PostPeriodic(absl::Milliseconds(config_.nm_liveness_interval_ms),
                     [this] { CheckNodeLiveness(); });
  SchedulePreemption();
}

RmCore::App* RmCore::FindApp(const ApplicationId& id) {
  auto it = apps_.find(id);
  return it == apps_.end() ? nullptr : it->second.get();
}

const RmCore::App* RmCore::FindApp(const ApplicationId& id) const {
  auto it = apps_.find(id);
  return it == apps_.end() ? nullptr : it->second.get();
}

RmCore::Attempt* RmCore::FindAttempt(const ApplicationAttemptId& id) {
  App* app = FindApp(id.application_id());
  if (app == nullptr) return nullptr;
  int32_t n = id.attempt_id();
  if (n < 1 || n > static_cast<int32_t>(app->attempts.size())) return nullptr;
  return app->attempts[n - 1].get();
}

proto::GetNewApplicationResponse RmCore::NewApplication() {
  proto::GetNewApplicationResponse resp;
  *resp.mutable_application_id() = ApplicationId(cluster_timestamp_, next_app_id_++).ToProto();
  *resp.mutable_maximum_capability() = config_.maximum_allocation.ToProto();
  return resp;
}

absl::Status RmCore::Submit(const proto::ApplicationSubmissionContextProto& context,
                            const std::string& user) {
  ApplicationId id = ApplicationId::FromProto(context.application_id());
  if (id.cluster_timestamp() != cluster_timestamp_ || id.id() <= 0 || id.id() >= next_app_id_) {
    return absl::InvalidArgumentError(
        absl::StrCat("Application id ", id.ToString(),
                     " was not issued by this ResourceManager; call GetNewApplication first"));
  }
  if (apps_.count(id) > 0) {
    return absl::AlreadyExistsError(absl::StrCat("Application with id ", id.ToString(),
                                                 " is already present! Cannot add a duplicate!"));
  }
  if (context.unmanaged_am()) {
    return absl::UnimplementedError("Unmanaged ApplicationMasters are not supported yet");
  }
  if (context.am_container_spec().command().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Application ", id.ToString(), " has no AM launch command"));
  }
  Resource ask = Resource::FromProto(context.resource());
  if (auto s = ValidateResourceRequest(ask, config_.maximum_allocation); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid AM resource request for ", id.ToString(), ": ", s.message()));
  }
  auto app = std::make_unique<App>();
  app->id = id;
  app->context = context;
  app->user = user;
  app->queue = context.queue().empty() ? "default" : context.queue();
  app->submit_time = app->start_time = clock_.NowMillis();
  app->am_resource = calc_.Normalize(ask, config_.minimum_allocation, config_.maximum_allocation,
                                     config_.minimum_allocation);
  int32_t wanted = context.max_app_attempts();
  app->max_attempts =
      (wanted <= 0 || wanted > config_.am_max_attempts) ? config_.am_max_attempts : wanted;
  if (app->context.applicationtype().empty()) app->context.set_applicationtype("YARN");
  app->state = proto::NEW_SAVING;
  ++web_counters_.apps_submitted;  // Web/metrics
  App& ref = *app;
  apps_[id] = std::move(app);
  proto::ApplicationStateDataProto data;
  data.set_submit_time(ref.submit_time);
  data.set_start_time(ref.start_time);
  data.set_user(user);
  *data.mutable_application_submission_context() = ref.context;
  data.set_application_state(proto::NEW_SAVING);
  store_.StoreApplication(id, data, [this, id, gate = gate_](absl::Status s) {
    std::lock_guard<std::mutex> lock(gate->mu);
    if (gate->loop != nullptr) gate->loop->Post([this, id, s] { OnAppSaved(id, s); });
  });
  return absl::OkStatus();
}

void RmCore::OnAppSaved(const ApplicationId& id, absl::Status status) {
  App* app = FindApp(id);
  if (app == nullptr || app->state != proto::NEW_SAVING) return;  // killed meanwhile
  if (!status.ok()) {
    FinishApp(*app, proto::FAILED, proto::APP_FAILED,
              absl::StrCat("Failed to store application ", id.ToString(), ": ", status.message()));
    return;
  }
  app->state = proto::SUBMITTED;
  StartAttempt(*app);
}

void RmCore::StartAttempt(App& app) {
  auto attempt = std::make_unique<Attempt>();
  attempt->id = ApplicationAttemptId(app.id, static_cast<int32_t>(app.attempts.size()) + 1);
  attempt->start_time = clock_.NowMillis();
  attempt->token = AmrmToken(attempt->id);
  Attempt& a = *attempt;
  app.attempts.push_back(std::move(attempt));
  tokens_[a.token] = a.id;
  auto queue = scheduler_.AddAttempt(a.id, app.queue, app.user, app.context.priority().priority());
  if (!queue.ok()) {
    a.state = proto::APP_ATTEMPT_FAILED;
    FinishApp(app, proto::FAILED, proto::APP_FAILED,
              absl::StrCat("Application ", app.id.ToString(), " submitted by user ", app.user,
                           " to queue ", app.queue, " was rejected: ", queue.status().message()));
    return;
  }
  app.queue = *queue;
  if (app.state == proto::SUBMITTED) app.state = proto::ACCEPTED;
  a.state = proto::APP_ATTEMPT_SCHEDULED;
  Ask am_ask;
  am_ask.priority = kAmPriority;
  am_ask.capability = app.am_resource;
  am_ask.num_containers = 1;
  a.ask_keys.insert({kAmPriority, 0, "*"});
  if (absl::Status st = scheduler_.UpdateAsks(a.id, {am_ask}); !st.ok()) {
    // The AM does not fit the queue's limits (e.g. Fair's maxContainerAllocation): fail the
    // submission as YARN does, rather than leaving it ACCEPTED for ever.
    (void)scheduler_.RemoveAttempt(a.id);
    a.state = proto::APP_ATTEMPT_FAILED;
    FinishApp(app, proto::FAILED, proto::APP_FAILED,
              absl::StrCat("Application ", app.id.ToString(), " submitted by user ", app.user,
                           " to queue ", app.queue, " was rejected: ", st.message()));
    return;
  }
  PersistAttempt(app, a);
  RunScheduling();
}

void RmCore::RunScheduling() {
  if (scheduling_held_ && SchedulingHeld()) return;  // recovery: NMs are still coming back
  for (const Allocation& alloc : scheduler_.Schedule()) {
    const ApplicationAttemptId& attempt_id = alloc.container_id.application_attempt_id();
    App* app = FindApp(attempt_id.application_id());
    Attempt* attempt = FindAttempt(attempt_id);
    auto node = nodes_.find(alloc.node);
    if (app == nullptr || attempt == nullptr || node == nodes_.end()) {
      scheduler_.ReleaseContainer(alloc.container_id);  // cannot happen; stay consistent
      continue;
    }
    RMContainer c{alloc.container_id, alloc.node, alloc.resource,
                  alloc.priority,     false,      clock_.NowMillis()};
    c.is_am = attempt->state == proto::APP_ATTEMPT_SCHEDULED && !attempt->has_am_container;
    containers_[c.id] = c;
    app->live_containers.insert(c.id);
    node->second.containers.insert(c.id);
    app->nodes_used.insert(c.node);
    proto::ContainerProto cp;
    *cp.mutable_id() = c.id.ToProto();
    *cp.mutable_node_id() = c.node.ToProto();
    cp.set_node_http_address(absl::StrCat(c.node.host(), ":", node->second.http_port));
    *cp.mutable_resource() = c.resource.ToProto();
    cp.mutable_priority()->set_priority(c.priority);
    *cp.mutable_container_token() = MakeContainerToken(c, *app);
    cp.set_allocation_request_id(alloc.allocation_request_id);
    if (c.is_am) {
      attempt->has_am_container = true;
      attempt->am_container = cp;
      attempt->state = proto::APP_ATTEMPT_ALLOCATED;
      attempt->ask_keys.erase({kAmPriority, 0, "*"});
      LaunchAm(*app, *attempt);
    } else {
      attempt->new_allocations.push_back(cp);
      news_.Bump(attempt_id);
    }
  }
}

proto::TokenProto RmCore::MakeContainerToken(const RMContainer& c, const App& app) const {
  proto::ContainerTokenIdentifierProto ident;
  *ident.mutable_container_id() = c.id.ToProto();
  ident.set_nm_host_port(c.node.ToString());
  ident.set_app_submitter(app.user);
  *ident.mutable_resource() = c.resource.ToProto();
  ident.set_expiry_timestamp_ms(clock_.NowMillis() + config_.container_token_expiry_ms);
  ident.set_master_key_id(1);
  ident.set_rm_identifier(cluster_timestamp_);
  ident.mutable_priority()->set_priority(c.priority);
  ident.set_creation_time_ms(clock_.NowMillis());
  proto::TokenProto token;
  token.set_identifier(ident.SerializeAsString());
  token.set_password(HmacSha256(master_key_, token.identifier()));
  token.set_kind("ContainerToken");  // Hadoop's ContainerTokenIdentifier.KIND
  token.set_service(c.node.ToString());
  return token;
}

void RmCore::LaunchAm(App& app, Attempt& attempt) {
  proto::ContainerLaunchContextProto clc = app.context.am_container_spec();
  auto& env = *clc.mutable_environment();
  env["SKEIN_AMRM_TOKEN"] = attempt.token;
  env["SKEIN_RM_SCHEDULER_ADDRESS"] = scheduler_connect_address_;
  env["APP_SUBMIT_TIME_ENV"] = absl::StrCat(app.submit_time);
  env["MAX_APP_ATTEMPTS"] = absl::StrCat(app.max_attempts);
  ApplicationAttemptId id = attempt.id;
  attempt.launch_asked_ms = clock_.NowMillis();
  if (attempt.start_time > 0) {
    web_counters_.am_container_allocation_delay.Add(attempt.launch_asked_ms - attempt.start_time);
  }
  launcher_.Launch(attempt.am_container, clc, [this, id](absl::Status s) {
    loop_.Post([this, id, s] { OnAmLaunched(id, s); });
  });
}

void RmCore::OnAmLaunched(const ApplicationAttemptId& id, absl::Status status) {
  App* app = FindApp(id.application_id());
  Attempt* attempt = FindAttempt(id);
  if (app == nullptr || attempt == nullptr || attempt->state != proto::APP_ATTEMPT_ALLOCATED) {
    return;  // registered already, or killed meanwhile
  }
  if (status.ok()) {
    attempt->state = proto::APP_ATTEMPT_LAUNCHED;
    app->launch_time = clock_.NowMillis();
    attempt->launched_ms = app->launch_time;
    if (attempt->launch_asked_ms > 0) {
      web_counters_.am_launch_delay.Add(attempt->launched_ms - attempt->launch_asked_ms);
    }
    PersistAttempt(*app, *attempt);
    return;
  }
  // The AM container never started: give its capacity back and fail the attempt.
  ContainerId am = ContainerId::FromProto(attempt->am_container.id());
  auto it = containers_.find(am);
  if (it != containers_.end()) {
    nodes_[it->second.node].containers.erase(am);
    containers_.erase(it);
    app->live_containers.erase(am);
    scheduler_.ReleaseContainer(am);
  }
  FailAttempt(
      *app, *attempt,
      absl::StrCat("Error launching ", id.ToString(), ". Got exception: ", status.message()),
      proto::INVALID);
}

absl::StatusOr<ApplicationAttemptId> RmCore::AttemptForToken(const std::string& token) const {
  auto it = tokens_.find(token);
  if (token.empty() || it == tokens_.end()) {
    return absl::PermissionDeniedError(
        "Invalid AMRMToken: the caller is not a known ApplicationMaster attempt");
  }
  return it->second;
}

absl::StatusOr<proto::RegisterApplicationMasterResponse> RmCore::RegisterAm(
    const ApplicationAttemptId& id, const proto::RegisterApplicationMasterRequest& req) {
  App* app = FindApp(id.application_id());
  Attempt* attempt = FindAttempt(id);
  if (app == nullptr || attempt == nullptr || app->current() != attempt || app->done()) {
    return absl::FailedPreconditionError(
        absl::StrCat(id.ToString(), " is not the current attempt of a running application"));
  }
  if (attempt->state == proto::APP_ATTEMPT_RUNNING) {
    return absl::FailedPreconditionError(absl::StrCat("Application Master is already registered : ",
                                                      id.application_id().ToString()));
  }
  if (attempt->state != proto::APP_ATTEMPT_LAUNCHED &&
      attempt->state != proto::APP_ATTEMPT_ALLOCATED) {
    return absl::FailedPreconditionError(
        absl::StrCat(id.ToString(), " cannot register in its current state"));
  }
  attempt->state = proto::APP_ATTEMPT_RUNNING;
  if (attempt->launched_ms > 0) {
    web_counters_.am_register_delay.Add(clock_.NowMillis() - attempt->launched_ms);
  }
  attempt->host = req.host().empty() ? "N/A" : req.host();
  attempt->rpc_port = req.rpc_port();
  attempt->tracking_url = req.tracking_url();
  app->state = proto::RUNNING;
  if (app->launch_time == 0) app->launch_time = clock_.NowMillis();
  PersistAttempt(*app, *attempt);
  PersistApp(*app);
  proto::RegisterApplicationMasterResponse resp;
  *resp.mutable_maximum_capability() = config_.maximum_allocation.ToProto();
  resp.set_queue(app->queue);
  return resp;
}

absl::StatusOr<proto::AllocateResponse> RmCore::Allocate(const ApplicationAttemptId& id,
                                                         const proto::AllocateRequest& req) {
  App* app = FindApp(id.application_id());
  Attempt* attempt = FindAttempt(id);
  proto::AllocateResponse resp;
  if (app == nullptr || attempt == nullptr) {
    resp.set_a_m_command_shutdown(true);
    return resp;
  }
  if (attempt->shutdown || app->done() || app->current() != attempt) {
    resp.set_a_m_command_shutdown(true);
    // Still hand over what completed, so the AM can log it.
    for (auto& s : attempt->new_completions) *resp.add_completed_container_statuses() = s;
    attempt->new_completions.clear();
    return resp;
  }
  if (attempt->state != proto::APP_ATTEMPT_RUNNING) {
    return absl::FailedPreconditionError(absl::StrCat(
        kAmNotRegisteredException, ": AM is not registered for known application attempt: ",
        id.ToString(), " or RM had restarted after AM registered. AM should re-register."));
  }
  std::vector<Ask> asks;
  for (const auto& r : req.ask()) {
    Resource cap = Resource::FromProto(r.capability());
    if (r.num_containers() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Invalid resource request: num_containers=", r.num_containers(), " is negative"));
    }
    if (r.num_containers() > 0) {
      if (auto s = ValidateResourceRequest(cap, config_.maximum_allocation); !s.ok()) return s;
    }
    Ask ask;
    ask.priority = r.priority().priority();
    ask.allocation_request_id = r.allocation_request_id();
    ask.resource_name = r.resource_name().empty() ? "*" : r.resource_name();
    // Skein places by capacity only so far: host and rack lines are accepted and ignored,
    // the "*" line carries the demand.
    if (ask.resource_name != "*") continue;
    ask.capability = calc_.Normalize(cap, config_.minimum_allocation, config_.maximum_allocation,
                                     config_.minimum_allocation);
    ask.num_containers = r.num_containers();
    attempt->ask_keys.insert({ask.priority, ask.allocation_request_id, ask.resource_name});
    asks.push_back(ask);
  }
  if (!asks.empty()) {
    if (auto s = scheduler_.UpdateAsks(id, asks); !s.ok()) return s;
  }
  for (const auto& rel : req.release()) {
    ContainerId cid = ContainerId::FromProto(rel);
    auto it = containers_.find(cid);
    if (it == containers_.end() || cid.application_attempt_id() != id || it->second.is_am) {
      continue;  // YARN ignores releases of unknown containers
    }
    nodes_[it->second.node].to_cleanup.push_back(cid);
    ContainerCompleted(cid,
                       CompletedStatus(cid, proto::ABORTED, "Container released by application"));
  }
  attempt->progress = std::clamp(req.progress(), 0.0f, 1.0f);
  RunScheduling();
  for (auto& c : attempt->new_allocations) *resp.add_allocated_containers() = std::move(c);
  attempt->new_allocations.clear();
  for (auto& s : attempt->new_completions) *resp.add_completed_container_statuses() = s;
  attempt->new_completions.clear();
  for (const ContainerId& c : attempt->to_preempt) {
    // Only containers still live: the AM may have released one since it was selected.
    if (containers_.contains(c)) *resp.mutable_preempt()->add_strict_contract() = c.ToProto();
  }
  attempt->to_preempt.clear();
  resp.set_response_id(++attempt->response_id);
  *resp.mutable_limit() = scheduler_.Headroom(id).ToProto();
  int32_t running = 0;
  for (const auto& [nid, n] : nodes_) running += n.state == proto::NS_RUNNING ? 1 : 0;
  resp.set_num_cluster_nodes(running);
  return resp;
}

absl::StatusOr<proto::FinishApplicationMasterResponse> RmCore::FinishAm(
    const ApplicationAttemptId& id, const proto::FinishApplicationMasterRequest& req) {
  App* app = FindApp(id.application_id());
  Attempt* attempt = FindAttempt(id);
  proto::FinishApplicationMasterResponse resp;
  if (app == nullptr || attempt == nullptr) {
    return absl::NotFoundError(absl::StrCat("Unknown application attempt ", id.ToString()));
  }
  if (attempt->state == proto::APP_ATTEMPT_FINISHING ||
      attempt->state == proto::APP_ATTEMPT_FINISHED) {
    resp.set_isunregistered(true);
    return resp;
  }
  if (attempt->state != proto::APP_ATTEMPT_RUNNING || app->done()) {
    // Hadoop's ApplicationMasterNotRegisteredException (e.g. the RM restarted since the AM
    // registered): the AM library registers again and retries.
    return absl::FailedPreconditionError(absl::StrCat(
        kAmNotRegisteredException,
        ": Application Master is trying to unregister before registering for: ", id.ToString()));
  }
  proto::FinalApplicationStatus final_status = req.final_application_status();
  if (final_status == proto::APP_UNDEFINED) {
    return absl::InvalidArgumentError(
        "Cannot finish an ApplicationMaster with final status UNDEFINED");
  }
  attempt->state = proto::APP_ATTEMPT_FINISHING;
  attempt->final_status = final_status;
  attempt->diagnostics = req.diagnostics();
  if (!req.tracking_url().empty()) attempt->tracking_url = req.tracking_url();
  attempt->progress = 1.0f;
  // The AM may still be exiting: keep its container, stop the rest.
  EndAttempt(*attempt, /*keep_am=*/true, proto::KILLED_AFTER_APP_COMPLETION,
             "Container killed on application-finish event.");
  FinishApp(*app, proto::FINISHED, final_status, req.diagnostics());
  // An AM that does not exit after unregistering is stopped after a grace period.
  ContainerId am = ContainerId::FromProto(attempt->am_container.id());
  loop_.PostDelayed(absl::Milliseconds(config_.am_exit_grace_ms), [this, am] {
    auto it = containers_.find(am);
    if (it != containers_.end()) {
      nodes_[it->second.node].to_cleanup.push_back(am);
    }
  });
  RunScheduling();
  resp.set_isunregistered(true);
  return resp;
}

void RmCore::ContainerCompleted(const ContainerId& id, const proto::ContainerStatusProto& status) {
  auto it = containers_.find(id);
  if (it == containers_.end()) return;
  // Copy and forget first: what follows may start new attempts and rehash containers_.
  RMContainer c = it->second;
  containers_.erase(it);
  scheduler_.ReleaseContainer(id);
  auto node = nodes_.find(c.node);
  if (node != nodes_.end()) node->second.containers.erase(id);
  App* app = FindApp(id.application_id());
  Attempt* attempt = FindAttempt(id.application_attempt_id());
  if (app != nullptr) {
    app->live_containers.erase(id);
    int64_t seconds = std::max<int64_t>(0, clock_.NowMillis() - c.start_time) / 1000;
    app->memory_seconds += c.resource.memory_mb * seconds;
    app->vcore_seconds += c.resource.vcores * seconds;
  }
  if (app == nullptr || attempt == nullptr) return;
  if (c.is_am) {
    OnAmContainerFinished(*app, *attempt, status);
  } else {
    attempt->new_completions.push_back(status);
    news_.Bump(attempt->id);
  }
}

void RmCore::OnAmContainerFinished(App& app, Attempt& attempt,
                                   const proto::ContainerStatusProto& s) {
  attempt.am_exit_status = s.exit_status();
  switch (attempt.state) {
    case proto::APP_ATTEMPT_FINISHING:
      attempt.state = proto::APP_ATTEMPT_FINISHED;
      attempt.finish_time = clock_.NowMillis();
      EndAttempt(attempt, /*keep_am=*/false, proto::KILLED_AFTER_APP_COMPLETION,
                 "Container killed on application-finish event.");
      PersistAttempt(app, attempt);
      CleanupAppOnNodes(app);
      return;
    case proto::APP_ATTEMPT_FAILED:
    case proto::APP_ATTEMPT_KILLED:
    case proto::APP_ATTEMPT_FINISHED:
      return;
    default:
      break;
  }
  std::string diag = absl::StrCat("AM Container for ", attempt.id.ToString(),
                                  " exited with  exitCode: ", s.exit_status(),
                                  "\nFailing this attempt.Diagnostics: ", s.diagnostics());
  FailAttempt(app, attempt, diag, s.exit_status());
}

void RmCore::EndAttempt(Attempt& attempt, bool keep_am, int32_t exit_status,
                        const std::string& diagnostics) {
  ContainerId am =
      attempt.has_am_container ? ContainerId::FromProto(attempt.am_container.id()) : ContainerId();
  if (keep_am) {
    // Clear the ask table; the attempt stays in the scheduler until its AM container ends.
    std::vector<Ask> clear;
    for (const auto& [prio, req_id, name] : attempt.ask_keys) {
      Ask a;
      a.priority = prio;
      a.allocation_request_id = req_id;
      a.resource_name = name;
      clear.push_back(a);
    }
    (void)scheduler_.UpdateAsks(attempt.id, clear);
    attempt.ask_keys.clear();
    std::vector<ContainerId> live;
    if (const App* app = FindApp(attempt.id.application_id())) {
      for (const ContainerId& cid : app->live_containers) {
        if (cid.application_attempt_id() == attempt.id && cid != am) live.push_back(cid);
      }
      std::sort(live.begin(), live.end());  // deterministic completion order
    }
    for (const ContainerId& cid : live) {
      nodes_[containers_[cid].node].to_cleanup.push_back(cid);
      ContainerCompleted(cid, CompletedStatus(cid, exit_status, diagnostics));
    }
    return;
  }
  App* owner = FindApp(attempt.id.application_id());
  for (const ContainerId& cid : scheduler_.RemoveAttempt(attempt.id)) {
    auto it = containers_.find(cid);
    if (it == containers_.end()) continue;
    if (owner != nullptr) owner->live_containers.erase(cid);
    auto node = nodes_.find(it->second.node);
    if (node != nodes_.end()) {
      node->second.to_cleanup.push_back(cid);
      node->second.containers.erase(cid);
    }
    if (cid != am) {
      attempt.new_completions.push_back(CompletedStatus(cid, exit_status, diagnostics));
    }
    containers_.erase(it);
  }
  news_.Forget(attempt.id);
}

void RmCore::FailAttempt(App& app, Attempt& attempt, const std::string& diagnostics,
                         int32_t exit_status) {
  attempt.state = proto::APP_ATTEMPT_FAILED;
  attempt.finish_time = clock_.NowMillis();
  attempt.diagnostics = diagnostics;
  attempt.shutdown = true;
  EndAttempt(attempt, /*keep_am=*/false, proto::KILLED_BY_RESOURCEMANAGER,
             "Container of a failed application attempt.");
  PersistAttempt(app, attempt);
  if (CountsTowardsMaxAttempts(exit_status)) ++app.counted_failures;
  if (app.counted_failures >= app.max_attempts) {
    FinishApp(app, proto::FAILED, proto::APP_FAILED,
              absl::StrCat("Application ", app.id.ToString(), " failed ", app.max_attempts,
                           " times due to ", diagnostics, "\nFailing the application."));
    CleanupAppOnNodes(app);
    RunScheduling();
    return;
  }
  StartAttempt(app);
}

absl::StatusOr<bool> RmCore::Kill(const ApplicationId& id, const std::string& user,
                                  const std::string& diagnostics) {
  App* app = FindApp(id);
  if (app == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("Application with id '", id.ToString(), "' doesn't exist in RM."));
  }
  if (!CanModifyApplication(id, user).value_or(false)) {
    return absl::PermissionDeniedError(
        absl::StrCat("User ", user, " cannot perform operation MODIFY_APP on ", id.ToString()));
  }
  if (app->done()) return true;
  std::string diag = diagnostics.empty()
                         ? absl::StrCat("Application ", id.ToString(), " was killed by user ", user)
                         : diagnostics;
  if (Attempt* attempt = app->current()) {
    attempt->state = proto::APP_ATTEMPT_KILLED;
    attempt->finish_time = clock_.NowMillis();
    attempt->diagnostics = diag;
    attempt->shutdown = true;
    EndAttempt(*attempt, /*keep_am=*/false, proto::KILLED_BY_RESOURCEMANAGER,
               "Container killed by the ResourceManager: application killed.");
    PersistAttempt(*app, *attempt);
  }
  FinishApp(*app, proto::KILLED, proto::APP_KILLED, diag);
  CleanupAppOnNodes(*app);
  RunScheduling();  // what it held may let waiting applications start
  return false;
}

void RmCore::FinishApp(App& app, proto::YarnApplicationState state,
                       proto::FinalApplicationStatus final_status, const std::string& diagnostics) {
  app.state = state;
  app.final_status = final_status;
  app.diagnostics = diagnostics;
  app.finish_time = clock_.NowMillis();
  // Web/metrics: YARN's appsCompleted / appsFailed / appsKilled.
  if (state == proto::FINISHED) ++web_counters_.apps_completed;
  if (state == proto::FAILED) ++web_counters_.apps_failed;
  if (state == proto::KILLED) ++web_counters_.apps_killed;
  PersistApp(app);
  completed_apps_.push_back(app.id);
  completed_in_store_.push_back(app.id);
  RetireCompletedApps();
}

void RmCore::CleanupAppOnNodes(const App& app) {
  for (const NodeId& n : app.nodes_used) {
    auto it = nodes_.find(n);
    if (it != nodes_.end()) it->second.apps_to_cleanup.push_back(app.id);
  }
}

void RmCore::RetireCompletedApps() {
  // The store keeps at most state-store.max-completed-applications (never more than memory).
  const size_t in_store =
      static_cast<size_t>(std::max(0, std::min(config_.max_completed_applications_in_store,
                                               config_.max_completed_applications)));
  while (completed_in_store_.size() > in_store) {
    store_.RemoveApplication(completed_in_store_.front(), [](absl::Status) {});
    completed_in_store_.pop_front();
  }
  while (static_cast<int32_t>(completed_apps_.size()) > config_.max_completed_applications) {
    ApplicationId old = completed_apps_.front();
    completed_apps_.pop_front();
    App* app = FindApp(old);
    if (app == nullptr) continue;
    for (const auto& a : app->attempts) {
      // An attempt whose AM is still exiting keeps its record until the node reports it.
      if (a->state == proto::APP_ATTEMPT_FINISHING) EndAttempt(*a, false, 0, "");
      tokens_.erase(a->token);
    }
    apps_.erase(old);
  }
}

void RmCore::PersistApp(const App& app) {
  proto::ApplicationStateDataProto data;
  data.set_submit_time(app.submit_time);
  data.set_start_time(app.start_time);
  data.set_user(app.user);
  *data.mutable_application_submission_context() = app.context;
  data.set_application_state(app.state);
  data.set_diagnostics(app.diagnostics);
  data.set_finish_time(app.finish_time);
  data.set_final_status(app.final_status);
  data.set_launch_time(app.launch_time);
  data.set_queue(app.queue);
  store_.StoreApplication(app.id, data, [](absl::Status) {});
}

void RmCore::PersistAttempt(const App& app, const Attempt& attempt) {
  proto::ApplicationAttemptStateDataProto data;
  *data.mutable_attempt_id() = attempt.id.ToProto();
  if (attempt.has_am_container) *data.mutable_master_container() = attempt.am_container;
  data.set_app_attempt_state(attempt.state);
  data.set_final_application_status(attempt.final_status);
  data.set_diagnostics(attempt.diagnostics);
  data.set_am_container_exit_status(attempt.am_exit_status);
  data.set_start_time(attempt.start_time);
  data.set_finish_time(attempt.finish_time);
  data.set_host(attempt.host);
  data.set_rpc_port(attempt.rpc_port);
  data.set_tracking_url(attempt.tracking_url);
  store_.StoreAttempt(attempt.id, data, [](absl::Status) {});
}

}  // namespace skein::rm
