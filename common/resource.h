// Resource vectors (memory in MB, vcores, further named types) and YARN's resource calculators.
//
// DefaultResourceCalculator compares and fits on memory only; a normalized grant carries exactly
// 1 vcore, as YARN shows it. DominantResourceCalculator considers every type. Plain values and
// stateless calculators: any thread.
#ifndef SKEIN_COMMON_RESOURCE_H_
#define SKEIN_COMMON_RESOURCE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "protos/records.pb.h"

namespace skein {

struct Resource {
  int64_t memory_mb = 0;
  int64_t vcores = 0;
  std::map<std::string, int64_t> others;  // e.g. {"yarn.io/gpu", 1}; zero entries are dropped

  Resource() = default;
  Resource(int64_t mem, int64_t cores) : memory_mb(mem), vcores(cores) {}

  // Memory and vcores inline; the map of further types only when `r` carries some (ours is kept
  // normalized, so nothing else can change): the schedulers' allocation paths are this.
  Resource& operator+=(const Resource& r) {
    memory_mb += r.memory_mb;
    vcores += r.vcores;
    if (!r.others.empty()) AddOthers(r, 1);
    return *this;
  }
  Resource& operator-=(const Resource& r) {
    memory_mb -= r.memory_mb;
    vcores -= r.vcores;
    if (!r.others.empty()) AddOthers(r, -1);
    return *this;
  }
  Resource operator*(int64_t n) const;
  friend Resource operator+(Resource a, const Resource& b) { return a += b; }
  friend Resource operator-(Resource a, const Resource& b) { return a -= b; }
  friend bool operator==(const Resource& a, const Resource& b);
  friend bool operator!=(const Resource& a, const Resource& b) { return !(a == b); }

  // others[k] += sign * r.others[k] for every further type of `r`, dropping zeros.
  void AddOthers(const Resource& r, int64_t sign);

  bool IsZero() const;
  bool AnyNegative() const;
  int64_t Get(absl::string_view type) const;  // "memory-mb", "vcores" or a named type
  // Component-wise min/max (types absent on one side count as 0).
  static Resource ComponentMin(const Resource& a, const Resource& b);
  static Resource ComponentMax(const Resource& a, const Resource& b);

  // "<memory:1024, vCores:1>" as YARN prints it; named types appended ", yarn.io/gpu: 1".
  std::string ToString() const;
  proto::ResourceProto ToProto() const;
  static Resource FromProto(const proto::ResourceProto& p);
};

class ResourceCalculator {
 public:
  virtual ~ResourceCalculator() = default;

  // Hadoop's fully qualified class name.
  virtual absl::string_view ClassName() const = 0;
  // Whether `ask` fits within `available`.
  virtual bool FitsIn(const Resource& ask, const Resource& available) const = 0;
  // max(ask, minimum) rounded up to a multiple of `step`, capped at `maximum`, for every type
  // this calculator schedules. Default: memory only, vcores = 1 when memory > 0.
  virtual Resource Normalize(const Resource& ask, const Resource& minimum, const Resource& maximum,
                             const Resource& step) const = 0;
  // The share of `cluster` that `r` represents (memory share, or the dominant share).
  virtual double Share(const Resource& r, const Resource& cluster) const = 0;
  // How many containers of `ask` fit in `available` (memory only for Default).
  virtual int64_t ComputeAvailableContainers(const Resource& available,
                                             const Resource& ask) const = 0;
};

class DefaultResourceCalculator final : public ResourceCalculator {
 public:
  static constexpr absl::string_view kClassName =
      "org.apache.hadoop.yarn.util.resource.DefaultResourceCalculator";
  absl::string_view ClassName() const override { return kClassName; }
  bool FitsIn(const Resource& ask, const Resource& available) const override;
  Resource Normalize(const Resource& ask, const Resource& minimum, const Resource& maximum,
                     const Resource& step) const override;
  double Share(const Resource& r, const Resource& cluster) const override;
  int64_t ComputeAvailableContainers(const Resource& available, const Resource& ask) const override;
};

class DominantResourceCalculator final : public ResourceCalculator {
 public:
  static constexpr absl::string_view kClassName =
      "org.apache.hadoop.yarn.util.resource.DominantResourceCalculator";
  absl::string_view ClassName() const override { return kClassName; }
  bool FitsIn(const Resource& ask, const Resource& available) const override;
  Resource Normalize(const Resource& ask, const Resource& minimum, const Resource& maximum,
                     const Resource& step) const override;
  double Share(const Resource& r, const Resource& cluster) const override;
  int64_t ComputeAvailableContainers(const Resource& available, const Resource& ask) const override;
};

// Accepts Hadoop's class names and the short names "default" / "dominant".
absl::StatusOr<std::unique_ptr<ResourceCalculator>> MakeResourceCalculator(absl::string_view name);

// Rejects an ask that is negative in any type or above `maximum` in any type, with an error that
// names the value and the limit (YARN's InvalidResourceRequestException cases).
absl::Status ValidateResourceRequest(const Resource& ask, const Resource& maximum);

}  // namespace skein

#endif  // SKEIN_COMMON_RESOURCE_H_
