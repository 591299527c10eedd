#include "resourcemanager/web/rest_request.h"

#include <httplib.h>

#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/web/xml.h"

namespace skein::web {

using json = nlohmann::ordered_json;

HttpError NotFound(std::string message) {
  return {404, "NotFoundException", "org.apache.hadoop.yarn.webapp.NotFoundException",
          std::move(message)};
}
HttpError BadRequest(std::string message) {
  return {400, "BadRequestException", "org.apache.hadoop.yarn.webapp.BadRequestException",
          std::move(message)};
}
HttpError Forbidden(std::string message) {
  return {403, "AuthorizationException",
          "org.apache.hadoop.security.authorize.AuthorizationException", std::move(message)};
}

// Maps a core error onto YARN's web exceptions (never a 500): NotFound 404, PermissionDenied /
// Unauthenticated 403, Unavailable 503, everything else (InvalidArgument, FailedPrecondition,
// Unimplemented: a request this RM or its scheduler cannot carry out) 400.
HttpError FromStatus(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
      return NotFound(std::string(s.message()));
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return Forbidden(std::string(s.message()));
    case absl::StatusCode::kUnavailable:
      return {503, "ServiceUnavailableException", "org.apache.hadoop.ipc.StandbyException",
              std::string(s.message())};
    default:
      return BadRequest(std::string(s.message()));
  }
}

void SendDoc(const httplib::Request& req, httplib::Response& res, int status, const json& doc) {
  res.status = status;
  web::RenderedDocument out = web::RenderDocument(doc, req.get_header_value("Accept"));
  res.set_content(out.body, out.content_type);
}

void SendError(const httplib::Request& req, httplib::Response& res, const HttpError& e) {
  SendDoc(req, res, e.status, web::RemoteException(e.exception, e.java_class, e.message));
}

// A single-field document: Hadoop's JSON writes it bare ({"queue":"a"}), its XML under a root
// element (<appqueue><queue>a</queue></appqueue>).
void SendField(const httplib::Request& req, httplib::Response& res, int status,
               const char* xml_root, const json& fields) {
  SendDoc(req, res, status,
          web::PrefersXml(req.get_header_value("Accept")) ? json{{xml_root, fields}} : fields);
}

// The body of a PUT that sets one field: JSON {"<field>":..} or XML
// <root><field>..</field></root> (XML values stay strings). `out` is the JSON object (with
// `field` present). BadRequest naming the expected shape otherwise.
std::optional<HttpError> ParseFieldBody(const std::string& raw, const std::string& root,
                                        const std::string& field, json& out) {
  std::string body(absl::StripAsciiWhitespace(raw));
  std::string expected = absl::StrCat("expected {\"", field, "\":..} or <", root, "><", field,
                                      ">..</", field, "></", root, ">");
  if (absl::StartsWith(body, "<")) {
    std::smatch m;
    const std::regex element("<" + field + ">\\s*([^<]*?)\\s*</" + field + ">");
    if (!std::regex_search(body, m, element)) {
      return BadRequest(absl::StrCat("malformed ", root, " XML: ", expected));
    }
    out = json{{field, m[1].str()}};
    std::smatch d;
    static const std::regex kDiagnostics("<diagnostics>([^<]*)</diagnostics>");
    if (std::regex_search(body, d, kDiagnostics)) out["diagnostics"] = d[1].str();
    return std::nullopt;
  }
  out = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded() || !out.is_object() || !out.contains(field)) {
    return BadRequest(
        absl::StrCat("malformed ", root, " body: ", expected, ", got '", body.substr(0, 200), "'"));
  }
  return std::nullopt;
}

// All values of a (possibly repeated) query parameter, split on commas, blanks dropped.
std::vector<std::string> ListParam(const httplib::Request& req, const std::string& key) {
  std::vector<std::string> out;
  size_t n = req.get_param_value_count(key.c_str());
  for (size_t i = 0; i < n; ++i) {
    for (absl::string_view part :
         absl::StrSplit(req.get_param_value(key.c_str(), i), ',', absl::SkipWhitespace())) {
      out.emplace_back(absl::StripAsciiWhitespace(part));
    }
  }
  return out;
}

// Optional non-negative integer parameter; BadRequest naming the parameter otherwise.
bool IntParam(const httplib::Request& req, const std::string& key, int64_t& value,
              HttpError& error) {
  if (!req.has_param(key.c_str())) return true;
  std::string text = req.get_param_value(key.c_str());
  if (!absl::SimpleAtoi(text, &value)) {
    error = BadRequest(absl::StrCat("java.lang.NumberFormatException: For input string: \"", text,
                                    "\" (parameter ", key, ")"));
    return false;
  }
  return true;
}

// Percent-encodes everything but unreserved characters (user text headed for a Location header).
std::string UrlEncode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

std::string UserName(const httplib::Request& req) {
  return req.has_param("user.name") ? req.get_param_value("user.name") : "";
}

}  // namespace skein::web
