#include "base/diagnostics.hpp"

#include "base/interrupt.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <map>
#include <new>

namespace aw {
namespace {
std::string g_tool_name = "auditwheel";

struct RepeatedWarnings {
    std::size_t printed = 0;
    std::size_t held_back = 0;
};
std::map<std::string, RepeatedWarnings, std::less<>> g_repeated;

void print_line(std::string_view severity, std::string_view message) {
    std::string line = fmt::format("{}: {}: {}\n", g_tool_name, severity, escape_controls(message));
    std::fputs(line.c_str(), stderr);
}

void print_held_back_warnings() {
    for (auto& [kind, count] : g_repeated)
        if (count.held_back > 0) {
            print_line("warning", fmt::format("... and {} more {}", count.held_back, kind));
            count.held_back = 0;
        }
}

// What a stage wrote to stdout must have arrived: a full disk or a closed pipe is an error.
void flush_standard_output() {
    std::cout.flush();
    if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout))
        fail("cannot write to standard output: {}", errno != 0 ? std::strerror(errno) : "write error");
}
}  // namespace

const std::string& tool_name() { return g_tool_name; }

std::string Where::text() const {
    std::string named = what.empty() ? name : what + " " + name;
    return wheel.empty() ? named : named.empty() ? wheel : wheel + ": " + named;
}

std::string describe_at(const Where& where, const FileError& error) { return where.text() + ": " + error.detail(); }

void fail_at(const Where& where, const FileError& error) {
    throw Error(describe_at(where, error), error.exit_code());
}

void print_warning(std::string_view message) { print_line("warning", message); }

void print_log(std::string_view message) {
    std::string line = escape_controls(message) + "\n";
    std::fputs(line.c_str(), stderr);
}

void print_repeated_warning(std::string_view kind, std::string_view message) {
    auto found = g_repeated.find(kind);
    if (found == g_repeated.end()) found = g_repeated.emplace(std::string(kind), RepeatedWarnings{}).first;
    if (found->second.printed < kWarningsPerKind) {
        ++found->second.printed;
        print_warning(message);
    } else {
        ++found->second.held_back;
    }
}

std::string escape_controls(std::string_view text, bool keep_newlines) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && !(keep_newlines && c == '\n')) || byte == 0x7f) {
            out += fmt::format("\\x{:02x}", byte);
        } else {
            out += c;
        }
    }
    return out;
}

int run_stage(std::string_view tool, const std::function<int()>& body) {
    const char* command = std::getenv("AUDITWHEEL_COMMAND");
    g_tool_name = command != nullptr && *command != '\0' ? command : std::string(tool);
    install_interrupt_handlers();
    // Records go through std::cin and std::cout alone (messages through stderr's FILE): without
    // stdio's synchronisation they are buffered, not read and written a character at a time.
    std::ios::sync_with_stdio(false);
    try {
        int status = body();
        flush_standard_output();
        print_held_back_warnings();
        return status;
    } catch (const Interrupted& stop) {
        print_held_back_warnings();
        print_line("error", fmt::format("interrupted by signal {}; nothing was written", stop.signal));
        return 128 + stop.signal;
    } catch (const Error& error) {
        print_held_back_warnings();
        print_line("error", error.what());
        return error.exit_code();
    } catch (const std::bad_alloc&) {
        print_line("error", "out of memory");
        return kExitError;
    } catch (const std::exception& error) {
        print_line("error", fmt::format("internal error: {}", error.what()));
        return kExitError;
    }
}

}  // namespace aw
