// Data compiled at build time (tools/policy-split) from a YAML file under policies/ into
// JSON, which a stage parses in a fraction of yaml-cpp's time. Each compiled file names
// the size and CRC-32 of the YAML it was made from, so that an edited YAML is used as it is.
#pragma once

#include "protocol/records.hpp"

#include <optional>
#include <string>

namespace aw {

// The "source" a compiled file names for `yaml_path` as it is now.
Json source_fingerprint(const std::string& yaml_path);

// The compiled JSON at `compiled_path` when it is there, well-formed and made from
// `yaml_path` as it is now; nullopt otherwise (the caller then parses the YAML).
std::optional<Json> current_compiled(const std::string& compiled_path, const std::string& yaml_path);

// `data` with the fingerprint of `yaml_path`, as one line of JSON for a compiled file.
std::string compiled_text(Json data, const std::string& yaml_path);

}  // namespace aw
