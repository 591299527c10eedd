// A libFuzzer-compatible driver for compilers without libFuzzer (GCC): replays every file of the
// corpus directories given, then feeds mutations of them (byte flips, truncations, splices,
// inserted lengths) for --seconds (default 10), and exits 0 unless the target crashed (a crash
// aborts, failing the ctest entry). `--write-seeds DIR` writes the built-in seed sessions.
#include <dirent.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/hadoop_rpc/codec.h"
#include "common/hadoop_rpc/server.h"
#include "protos/client_protocol.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using namespace skein::hrpc;  // NOLINT: a test driver

RpcRequestHeaderProto Header(int32_t call_id) {
  RpcRequestHeaderProto h;
  h.set_rpc_kind(RPC_PROTOCOL_BUFFER);
  h.set_rpc_op(RpcRequestHeaderProto::RPC_FINAL_PACKET);
  h.set_call_id(call_id);
  h.set_client_id(std::string(16, 'x'));
  return h;
}

// Whole client sessions, as Java clients send them.
std::vector<std::string> Seeds() {
  IpcConnectionContextProto ctx;
  ctx.mutable_user_info()->set_effective_user("alice");
  ctx.set_protocol(kClientProtocol);
  RequestHeaderProto rh;
  rh.set_method_name("getApplicationReport");
  rh.set_declaring_class_protocol_name(kClientProtocol);
  rh.set_client_protocol_version(1);
  skein::proto::GetApplicationReportRequest req;
  req.mutable_application_id()->set_id(3);
  req.mutable_application_id()->set_cluster_timestamp(1700000000000);
  RpcSaslProto negotiate;
  negotiate.set_state(RpcSaslProto::NEGOTIATE);
  std::string simple = EncodePreamble(kAuthNone) + EncodeRequest(Header(-3), {&ctx}) +
                       EncodeRequest(Header(0), {&rh, &req}) + EncodeRequest(Header(-4), {}) +
                       EncodeRequest(Header(1), {&rh, &req});
  std::string sasl = EncodePreamble(kAuthSasl) + EncodeRequest(Header(-33), {&negotiate}) +
                     EncodeRequest(Header(-3), {&ctx}) + EncodeRequest(Header(0), {&rh, &req});
  RequestHeaderProto unknown = rh;
  unknown.set_method_name("getDelegationToken");
  std::string errors = EncodePreamble(kAuthNone) + EncodeRequest(Header(-3), {&ctx}) +
                       EncodeRequest(Header(7), {&unknown, &req});
  return {simple, sasl, errors, EncodePreamble(kAuthNone), "GET / HTTP/1.1\r\n\r\n"};
}

std::vector<std::string> ReadCorpus(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream f(dir + "/" + e->d_name, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    out.push_back(ss.str());
  }
  closedir(d);
  return out;
}

std::string Mutate(const std::vector<std::string>& pool, std::mt19937_64& rng) {
  std::string s = pool[rng() % pool.size()];
  int steps = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < steps; ++i) {
    switch (rng() % 6) {
      case 0:  // flip a byte
        if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1 + rng() % 255);
        break;
      case 1:  // truncate
        if (!s.empty()) s.resize(rng() % s.size());
        break;
      case 2: {  // splice another input's tail
        const std::string& o = pool[rng() % pool.size()];
        if (!o.empty()) s += o.substr(rng() % o.size());
        break;
      }
      case 3: {  // an interesting 4-byte length somewhere
        static const uint32_t kLengths[] = {0, 1, 0x7f, 0xffff, 0x10000, 0x7fffffff, 0xffffffff};
        uint32_t v = kLengths[rng() % 7];
        size_t at = s.empty() ? 0 : rng() % s.size();
        std::string bytes = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                             static_cast<char>(v >> 8), static_cast<char>(v)};
        s.insert(at, bytes);
        break;
      }
      case 4:  // duplicate a range
        if (s.size() > 2) {
          size_t a = rng() % s.size(), n = 1 + rng() % (s.size() - a);
          s.insert(a, s.substr(a, n));
        }
        break;
      default:  // random bytes
        s.insert(s.empty() ? 0 : rng() % s.size(),
                 std::string(1 + rng() % 8, static_cast<char>(rng())));
    }
  }
  if (s.size() > (1 << 16)) s.resize(1 << 16);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  std::vector<std::string> pool = Seeds();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--write-seeds" && i + 1 < argc) {
      std::string dir = argv[++i];
      int n = 0;
      for (const auto& s : Seeds()) {
        std::ofstream(dir + "/seed-" + std::to_string(n++), std::ios::binary) << s;
      }
      return 0;
    }
    if (a == "--seconds" && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
      continue;
    }
    for (auto& s : ReadCorpus(a)) pool.push_back(std::move(s));
  }
  size_t runs = 0;
  for (const auto& s : pool) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  }
  std::mt19937_64 rng(20261208);
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    std::string s = Mutate(pool, rng);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  }
  std::cout << "hadoop_rpc fuzz: " << runs << " inputs (" << pool.size()
            << " from the corpus and seeds), no crash" << std::endl;
  return 0;
}
