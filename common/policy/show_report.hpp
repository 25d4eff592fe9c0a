// What policy-check reports of a verdict: the "verdict" record, and the
// report `auditwheel show` prints as JSON or as text.
#pragma once

#include "policy/wheel_abi.hpp"
#include "protocol/records.hpp"

#include <string>

namespace aw {

Json record_json(const Verdict& verdict);
// `auditwheel show --json` (pypa auditwheel's show-schema.json, version 1);
// a pure wheel is an error unless `allow_pure`.
Json show_json(const Verdict& verdict, bool allow_pure);
// `auditwheel show`'s text; `verbose` prints past the points pypa auditwheel stops at.
std::string show_text(const Verdict& verdict, bool verbose);
// The abi3 paragraph of show_text, unwrapped: what breaks the tag's promise, or that nothing does.
std::string abi3_text(const Abi3Report& report);

}  // namespace aw
