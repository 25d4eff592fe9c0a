// One diagnostics style for every stage: "tool: error: <object>: <place>: <what>".
#pragma once

#include <fmt/format.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace aw {

// Exit codes shared by every stage (see auditwheel-records(7)).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// A refusal of bad input or a failed operation. The message is the whole
// diagnostic after "tool: error: " and names the wheel, member and place.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, int exit_code = kExitError)
        : std::runtime_error(message), exit_code_(exit_code) {}
    int exit_code() const { return exit_code_; }

private:
    int exit_code_;
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
    throw Error(fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void fail_usage(fmt::format_string<Args...> format, Args&&... args) {
    throw Error(fmt::format(format, std::forward<Args>(args)...), kExitUsage);
}

const std::string& tool_name();
void print_warning(std::string_view message);

template <typename... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
    print_warning(fmt::format(format, std::forward<Args>(args)...));
}

// Runs a stage's body with the interrupt handlers installed and turns every
// failure into one line on stderr and the matching exit code.
int run_stage(std::string_view tool, const std::function<int()>& body);

}  // namespace aw
