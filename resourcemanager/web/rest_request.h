// Request and response helpers of the RM's REST handlers: YARN's web exceptions (RemoteException
// bodies), status mapping, content-negotiated documents, query parameters and PUT bodies.
// Stateless; any thread (HTTP workers).
#ifndef SKEIN_RESOURCEMANAGER_WEB_REST_REQUEST_H_
#define SKEIN_RESOURCEMANAGER_WEB_REST_REQUEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace skein::web {

// An error destined for a RemoteException body.
struct HttpError {
  int status;
  std::string exception;  // simple class name, e.g. NotFoundException
  std::string java_class;
  std::string message;
};

HttpError NotFound(std::string message);    // 404 NotFoundException
HttpError BadRequest(std::string message);  // 400 BadRequestException
HttpError Forbidden(std::string message);   // 403 AuthorizationException
// Maps a core error onto YARN's web exceptions (never a 500): NotFound 404, PermissionDenied /
// Unauthenticated 403, Unavailable 503, everything else (InvalidArgument, FailedPrecondition,
// Unimplemented: a request this RM or its scheduler cannot carry out) 400.
HttpError FromStatus(const absl::Status& s);

// `doc` as JSON or XML by the request's Accept header.
void SendDoc(const httplib::Request& req, httplib::Response& res, int status,
             const nlohmann::ordered_json& doc);
void SendError(const httplib::Request& req, httplib::Response& res, const HttpError& e);
// A single-field document: Hadoop's JSON writes it bare ({"queue":"a"}), its XML under a root
// element (<appqueue><queue>a</queue></appqueue>).
void SendField(const httplib::Request& req, httplib::Response& res, int status,
               const char* xml_root, const nlohmann::ordered_json& fields);

// The body of a PUT that sets one field: JSON {"<field>":..} or XML
// <root><field>..</field></root> (XML values stay strings; a <diagnostics> element is kept).
// `out` is a JSON object with `field` present. BadRequest naming the expected shape otherwise.
std::optional<HttpError> ParseFieldBody(const std::string& raw, const std::string& root,
                                        const std::string& field, nlohmann::ordered_json& out);

// All values of a (possibly repeated) query parameter, split on commas, blanks dropped.
std::vector<std::string> ListParam(const httplib::Request& req, const std::string& key);
// Optional integer parameter: false (and `error`, naming the parameter) when not a number.
bool IntParam(const httplib::Request& req, const std::string& key, int64_t& value,
              HttpError& error);
// Percent-encodes everything but unreserved characters (user text headed for a header).
std::string UrlEncode(const std::string& text);
// Hadoop simple auth: the `user.name` query parameter ("" when absent).
std::string UserName(const httplib::Request& req);

}  // namespace skein::web

#endif  // SKEIN_RESOURCEMANAGER_WEB_REST_REQUEST_H_
