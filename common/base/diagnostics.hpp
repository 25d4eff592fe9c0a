// One diagnostics style for every stage: "tool: error: <object>: <place>: <what>".
#pragma once

#include <fmt/format.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace aw {

// Exit codes shared by every stage (see auditwheel-records(7)).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRefused = 3;  // a repair the policies refuse (auditwheel exits 2, as pypa's)
inline constexpr int kExitPure = 4;     // policy-check --plat: a pure wheel let through, nothing to repair

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

// An error about one file, kept in two parts so that a stage which knows the
// file by another name (a member of the wheel it unpacked into a temporary
// folder) can say it in the user's terms: what() is "<file>: <detail>".
class FileError : public Error {
public:
    FileError(std::string file, std::string detail, int exit_code = kExitError)
        : Error(file + ": " + detail, exit_code), file_(std::move(file)), detail_(std::move(detail)) {}
    const std::string& file() const { return file_; }
    const std::string& detail() const { return detail_; }

private:
    std::string file_, detail_;
};

// Where a diagnostic is, in the user's terms: "pkg.whl: member pkg/_x.so",
// "pkg.whl: grafted library pkg.libs/libz-0a1b2c3d.so.1", or a host file.
struct Where {
    std::string wheel;   // the wheel's file name; empty for a file named on the command line
    std::string what;    // "member", "grafted library", ... (with `name`)
    std::string name;    // a path inside the wheel, or the host file

    std::string text() const;
};

// The error `error` reported at `where` instead of at its file.
[[noreturn]] void fail_at(const Where& where, const FileError& error);
std::string describe_at(const Where& where, const FileError& error);

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
    throw Error(fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void fail_in_file(const std::string& file, fmt::format_string<Args...> format, Args&&... args) {
    throw FileError(file, fmt::format(format, std::forward<Args>(args)...));
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

// A line of the log pypa auditwheel prints at INFO level ("Fixed-up wheel
// written to PATH"), on stderr with no prefix, as the wrapper's own lines.
void print_log(std::string_view message);

// One line of a stage's share of that log: INFO (print_log) or WARNING (print_warning).
struct LogLine {
    bool warning = false;
    std::string text;
};

// A warning that untrusted input can repeat without bound (one per RECORD
// row, say): the first kWarningsPerKind of each `kind` are printed, the rest
// counted and summed up in one line before the stage ends.
inline constexpr std::size_t kWarningsPerKind = 10;
void print_repeated_warning(std::string_view kind, std::string_view message);

// Text from a wheel or an ELF file made safe for a terminal: control
// characters (C0, DEL) become \xNN escapes, '\n' too unless `keep_newlines`.
// Every diagnostic goes through it; so does text a stage prints for people.
std::string escape_controls(std::string_view text, bool keep_newlines = false);

// Runs a stage's body with the interrupt handlers installed and turns every
// failure into one line on stderr and the matching exit code; standard
// output is flushed and a failed write is an error. Diagnostics start with
// `tool`, or with $AUDITWHEEL_COMMAND when the wrapper runs the stage, so the
// user reads the name of the command they typed.
int run_stage(std::string_view tool, const std::function<int()>& body);

}  // namespace aw
