#include "resourcemanager/core/am_launcher.h"

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/rpc.h"

namespace skein::rm {

GrpcAmLauncher::GrpcAmLauncher() : worker_("amlauncher") { worker_.Start(); }

GrpcAmLauncher::~GrpcAmLauncher() { worker_.Stop(); }

void GrpcAmLauncher::Launch(const proto::ContainerProto& container,
                            const proto::ContainerLaunchContextProto& launch_context, Done done) {
  worker_.Post([container, launch_context, done = std::move(done)] {
    NodeId node = NodeId::FromProto(container.node_id());
    auto stub = proto::ContainerManagementProtocol::NewStub(MakeChannel(node.ToString()));
    proto::StartContainersRequest req;
    auto* one = req.add_start_container_request();
    *one->mutable_container_launch_context() = launch_context;
    *one->mutable_container_token() = container.container_token();
    proto::StartContainersResponse resp;
    auto ctx = MakeClientContext(std::chrono::seconds(30));
    grpc::Status s = stub->StartContainers(ctx.get(), req, &resp);
    std::string cid = ContainerId::FromProto(container.id()).ToString();
    if (!s.ok()) {
      done(absl::UnavailableError(absl::StrCat("cannot reach NodeManager ", node.ToString(),
                                               " to start ", cid, ": ", s.error_message())));
    } else if (resp.failed_requests_size() > 0) {
      done(absl::FailedPreconditionError(absl::StrCat("NodeManager ", node.ToString(), " refused ",
                                                      cid, ": ",
                                                      resp.failed_requests(0).exception())));
    } else {
      done(absl::OkStatus());
    }
  });
}

}  // namespace skein::rm
