// How many threads a stage works on, and a loop that runs on them.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace aw {

// The threads to use: `option` (--threads) when given, else AUDITWHEEL_THREADS when set, else
// the cores this process may run on. Either setting must be a whole number from 1 to 1024; a
// malformed one is a usage error naming it.
unsigned worker_threads(const std::optional<std::string>& option = std::nullopt);

// What the threads of one piece of a stage's work may hold at once: with the rest of the stage
// (a few MiB) it stays within the 64 MiB issue 15 allows, however many cores the machine has.
inline constexpr std::size_t kThreadsMemory = std::size_t{48} << 20;

// How many of `threads` may run work that holds `per_thread` bytes each within kThreadsMemory
// (at least one).
constexpr unsigned threads_within_memory(unsigned threads, std::size_t per_thread) {
    const std::size_t fit = per_thread == 0 ? threads : kThreadsMemory / per_thread;
    return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, fit)));
}

// Runs body(0) to body(count - 1) on up to `threads` threads, the caller's among them, each taking
// the lowest index not yet taken; once one fails no other index is started. The failure of the
// lowest index that failed is rethrown, so the outcome is a serial loop's whatever the threads:
// every index below it was taken, and so has run.
template <class Body>
void parallel_for(std::size_t count, unsigned threads, Body&& body) {
    std::vector<std::exception_ptr> failures(count);
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    auto work = [&] {
        for (std::size_t index; !failed.load() && (index = next++) < count;) {
            try {
                body(index);
            } catch (...) {
                failures[index] = std::current_exception();
                failed = true;
            }
        }
    };
    {
        std::vector<std::jthread> helpers;
        for (std::size_t helper = 1; helper < threads && helper < count; ++helper) helpers.emplace_back(work);
        work();
    }
    for (const std::exception_ptr& failure : failures)
        if (failure) std::rethrow_exception(failure);
}

}  // namespace aw
