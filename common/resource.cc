#include "common/resource.h"

#include <algorithm>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace skein {
namespace {

int64_t RoundUp(int64_t value, int64_t step) {
  if (step <= 0) return value;
  return ((value + step - 1) / step) * step;
}

int64_t NormalizeOne(int64_t ask, int64_t min, int64_t max, int64_t step) {
  return std::min(RoundUp(std::max(ask, min), step), max);
}

void DropZeros(std::map<std::string, int64_t>& m) {
  for (auto it = m.begin(); it != m.end();) {
    it = it->second == 0 ? m.erase(it) : std::next(it);
  }
}

}  // namespace

void Resource::AddOthers(const Resource& r, int64_t sign) {
  for (const auto& [k, v] : r.others) others[k] += sign * v;
  DropZeros(others);
}

Resource Resource::operator*(int64_t n) const {
  Resource r(memory_mb * n, vcores * n);
  for (const auto& [k, v] : others) r.others[k] = v * n;
  DropZeros(r.others);
  return r;
}

bool operator==(const Resource& a, const Resource& b) {
  return a.memory_mb == b.memory_mb && a.vcores == b.vcores && a.others == b.others;
}

bool Resource::IsZero() const { return memory_mb == 0 && vcores == 0 && others.empty(); }

bool Resource::AnyNegative() const {
  if (memory_mb < 0 || vcores < 0) return true;
  for (const auto& [k, v] : others) {
    if (v < 0) return true;
  }
  return false;
}

int64_t Resource::Get(absl::string_view type) const {
  if (type == "memory-mb" || type == "memory") return memory_mb;
  if (type == "vcores") return vcores;
  auto it = others.find(std::string(type));
  return it == others.end() ? 0 : it->second;
}

Resource Resource::ComponentMin(const Resource& a, const Resource& b) {
  Resource r(std::min(a.memory_mb, b.memory_mb), std::min(a.vcores, b.vcores));
  for (const auto& [k, v] : a.others) r.others[k] = std::min(v, b.Get(k));
  for (const auto& [k, v] : b.others) r.others[k] = std::min(v, a.Get(k));
  DropZeros(r.others);
  return r;
}

Resource Resource::ComponentMax(const Resource& a, const Resource& b) {
  Resource r(std::max(a.memory_mb, b.memory_mb), std::max(a.vcores, b.vcores));
  for (const auto& [k, v] : a.others) r.others[k] = std::max(v, b.Get(k));
  for (const auto& [k, v] : b.others) r.others[k] = std::max(v, a.Get(k));
  DropZeros(r.others);
  return r;
}

std::string Resource::ToString() const {
  std::string s = absl::StrCat("<memory:", memory_mb, ", vCores:", vcores);
  for (const auto& [k, v] : others) absl::StrAppend(&s, ", ", k, ": ", v);
  s += ">";
  return s;
}

proto::ResourceProto Resource::ToProto() const {
  proto::ResourceProto p;
  p.set_memory_mb(memory_mb);
  p.set_virtual_cores(static_cast<int32_t>(vcores));
  for (const auto& [k, v] : others) {
    auto* info = p.add_other();
    info->set_name(k);
    info->set_value(v);
  }
  return p;
}

Resource Resource::FromProto(const proto::ResourceProto& p) {
  Resource r(p.memory_mb(), p.virtual_cores());
  for (const auto& info : p.other()) r.others[info.name()] += info.value();
  DropZeros(r.others);
  return r;
}

bool DefaultResourceCalculator::FitsIn(const Resource& ask, const Resource& available) const {
  return ask.memory_mb <= available.memory_mb;
}

Resource DefaultResourceCalculator::Normalize(const Resource& ask, const Resource& minimum,
                                              const Resource& maximum, const Resource& step) const {
  int64_t mem = NormalizeOne(ask.memory_mb, minimum.memory_mb, maximum.memory_mb, step.memory_mb);
  return Resource(mem, mem > 0 ? 1 : 0);
}

double DefaultResourceCalculator::Share(const Resource& r, const Resource& cluster) const {
  return cluster.memory_mb > 0 ? static_cast<double>(r.memory_mb) / cluster.memory_mb : 0.0;
}

int64_t DefaultResourceCalculator::ComputeAvailableContainers(const Resource& available,
                                                              const Resource& ask) const {
  if (ask.memory_mb <= 0) return std::numeric_limits<int64_t>::max();
  return std::max<int64_t>(0, available.memory_mb / ask.memory_mb);
}

bool DominantResourceCalculator::FitsIn(const Resource& ask, const Resource& available) const {
  if (ask.memory_mb > available.memory_mb || ask.vcores > available.vcores) return false;
  for (const auto& [k, v] : ask.others) {
    if (v > available.Get(k)) return false;
  }
  return true;
}

Resource DominantResourceCalculator::Normalize(const Resource& ask, const Resource& minimum,
                                               const Resource& maximum,
                                               const Resource& step) const {
  Resource r(NormalizeOne(ask.memory_mb, minimum.memory_mb, maximum.memory_mb, step.memory_mb),
             NormalizeOne(ask.vcores, minimum.vcores, maximum.vcores, step.vcores));
  for (const auto& [k, v] : ask.others) {
    int64_t max = maximum.others.count(k) ? maximum.Get(k) : v;
    r.others[k] = NormalizeOne(v, minimum.Get(k), max, std::max<int64_t>(1, step.Get(k)));
  }
  DropZeros(r.others);
  return r;
}

double DominantResourceCalculator::Share(const Resource& r, const Resource& cluster) const {
  double share = 0;
  auto consider = [&share](int64_t used, int64_t total) {
    if (total > 0) share = std::max(share, static_cast<double>(used) / total);
  };
  consider(r.memory_mb, cluster.memory_mb);
  consider(r.vcores, cluster.vcores);
  for (const auto& [k, v] : r.others) consider(v, cluster.Get(k));
  return share;
}

int64_t DominantResourceCalculator::ComputeAvailableContainers(const Resource& available,
                                                               const Resource& ask) const {
  int64_t n = std::numeric_limits<int64_t>::max();
  auto limit = [&n](int64_t have, int64_t need) {
    if (need > 0) n = std::min(n, std::max<int64_t>(0, have / need));
  };
  limit(available.memory_mb, ask.memory_mb);
  limit(available.vcores, ask.vcores);
  for (const auto& [k, v] : ask.others) limit(available.Get(k), v);
  return n;
}

absl::StatusOr<std::unique_ptr<ResourceCalculator>> MakeResourceCalculator(absl::string_view name) {
  std::string lower = absl::AsciiStrToLower(name);
  if (name == DefaultResourceCalculator::kClassName || lower == "default") {
    return std::make_unique<DefaultResourceCalculator>();
  }
  if (name == DominantResourceCalculator::kClassName || lower == "dominant") {
    return std::make_unique<DominantResourceCalculator>();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "Unknown resource calculator '", name, "': expected ", DefaultResourceCalculator::kClassName,
      " or ", DominantResourceCalculator::kClassName));
}

absl::Status ValidateResourceRequest(const Resource& ask, const Resource& maximum) {
  auto check = [&](absl::string_view type, int64_t value, int64_t max) -> absl::Status {
    if (value < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Invalid resource request! Requested ", type, "=", value,
                       " is negative; requested resource=", ask.ToString()));
    }
    if (value > max) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Invalid resource request! Cannot allocate containers as requested resource is greater "
          "than maximum allowed allocation. Requested resource type=[",
          type, "], Requested resource=", ask.ToString(),
          ", maximum allowed allocation=", maximum.ToString()));
    }
    return absl::OkStatus();
  };
  if (auto s = check("memory-mb", ask.memory_mb, maximum.memory_mb); !s.ok()) return s;
  if (auto s = check("vcores", ask.vcores, maximum.vcores); !s.ok()) return s;
  for (const auto& [k, v] : ask.others) {
    int64_t max = maximum.others.count(k) ? maximum.Get(k) : std::numeric_limits<int64_t>::max();
    if (auto s = check(k, v, max); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace skein
