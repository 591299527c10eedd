// Shared by the RM and NM web servers (library skein_web_util). Renders the JSON documents of
// the REST APIs as XML (for `Accept: application/xml`), the way
// Hadoop's JAXB output looks: the single top-level key is the root element, object keys become
// child elements, and an array repeats its key's element once per entry
// ({"apps":{"app":[a,b]}} -> <apps><app>a</app><app>b</app></apps>). Pure; any thread.
#ifndef SKEIN_COMMON_WEB_XML_H_
#define SKEIN_COMMON_WEB_XML_H_

#include <string>

#include "nlohmann/json.hpp"

namespace skein::web {

// Escapes &, <, >, " and ' for XML/HTML text and attribute values.
std::string XmlEscape(const std::string& text);
// `doc` should be an object with one key (the root); other shapes are wrapped in <response>.
std::string JsonToXml(const nlohmann::ordered_json& doc);

// Content negotiation shared by both daemons' REST APIs: XML when the Accept header names
// application/xml or text/xml before application/json, else JSON.
bool PrefersXml(const std::string& accept_header);
struct RenderedDocument {
  std::string body;
  const char* content_type;
};
RenderedDocument RenderDocument(const nlohmann::ordered_json& doc,
                                const std::string& accept_header);
// YARN's error body: {"RemoteException":{"exception":..,"message":..,"javaClassName":..}}.
nlohmann::ordered_json RemoteException(const std::string& exception, const std::string& java_class,
                                       const std::string& message);

}  // namespace skein::web

#endif  // SKEIN_COMMON_WEB_XML_H_
