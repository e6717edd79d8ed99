// The compact form of what every message costs on the wire (docs/PROTOCOL.md
// section 6, "Compact forms"): the `send`, `delivered` and `read` commands
// and the live `msg`, `accepted` and `receipt` events may travel as a JSON
// array of the type and its fields' values in a fixed order, instead of an
// object:
//
//   ["msg",42,1700000000123,"alice","hi Bob"]
//   == {"type":"msg","seq":42,"ts":1700000000123,"from":"alice","body":"hi Bob"}
//
// The names were more than a quarter of what a message cost beyond its
// body. Both forms are the same event or command: a reader expands an array
// into its object and reads that.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace chat::compact {

// The field names of `type`'s compact form, in order; empty when `type` has
// none.
std::span<const std::string_view> FieldsOf(std::string_view type);

// ["type", v1, v2, ...] as {"type": "type", f1: v1, f2: v2, ...} (in that
// order for an nlohmann::ordered_json). Values missing at the end are left
// out of the object (its reader names the field that is required); values
// beyond the form's fields are ignored, as unknown members of an object
// are. Without a type string of a compact form it returns nullopt and says
// why in `error`. Takes the array by value: a caller done with it moves it
// in, and the body is not copied.
template <class Json>
std::optional<Json> Expand(Json array, std::string& error) {
  if (!array.is_array() || array.empty() || !array[0].is_string()) {
    error = "an array must start with its type, a string";
    return std::nullopt;
  }
  const std::string& type = array[0].template get_ref<const std::string&>();
  std::span<const std::string_view> fields = FieldsOf(type);
  if (fields.empty()) {
    std::string shown = type.size() > 32 ? type.substr(0, 32) + "..." : type;
    error = "'" + shown + "' has no compact (array) form; send it as an object";
    return std::nullopt;
  }
  Json object = Json::object();
  object["type"] = type;
  for (std::size_t i = 0; i < fields.size() && i + 1 < array.size(); ++i) {
    object[std::string(fields[i])] = std::move(array[i + 1]);
  }
  return object;
}

}  // namespace chat::compact
