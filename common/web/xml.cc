#include "common/web/xml.h"

namespace skein::web {
namespace {

std::string ScalarText(const nlohmann::ordered_json& v) {
  if (v.is_string()) return XmlEscape(v.get<std::string>());
  if (v.is_null()) return "";
  return v.dump();
}

void Emit(const std::string& name, const nlohmann::ordered_json& v, std::string& out) {
  if (v.is_array()) {
    for (const auto& item : v) Emit(name, item, out);
    return;
  }
  out += "<" + name + ">";
  if (v.is_object()) {
    for (const auto& [key, child] : v.items()) Emit(key, child, out);
  } else {
    out += ScalarText(v);
  }
  out += "</" + name + ">";
}

}  // namespace

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string JsonToXml(const nlohmann::ordered_json& doc) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>";
  if (doc.is_object() && doc.size() == 1) {
    Emit(doc.begin().key(), doc.begin().value(), out);
  } else {
    Emit("response", doc, out);
  }
  return out;
}

bool PrefersXml(const std::string& accept) {
  size_t x = accept.find("application/xml");
  if (x == std::string::npos) x = accept.find("text/xml");
  if (x == std::string::npos) return false;
  size_t j = accept.find("application/json");
  return j == std::string::npos || x < j;
}

RenderedDocument RenderDocument(const nlohmann::ordered_json& doc, const std::string& accept) {
  if (PrefersXml(accept)) return {JsonToXml(doc), "application/xml"};
  return {doc.dump(), "application/json"};
}

nlohmann::ordered_json RemoteException(const std::string& exception, const std::string& java_class,
                                       const std::string& message) {
  return {{"RemoteException",
           {{"exception", exception}, {"message", message}, {"javaClassName", java_class}}}};
}

}  // namespace skein::web
