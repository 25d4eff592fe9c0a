#include "base/worker_threads.hpp"

#include "base/diagnostics.hpp"

#include <charconv>
#include <cstdlib>
#include <sched.h>

namespace aw {

unsigned worker_threads(const std::optional<std::string>& option) {
    const char* variable = std::getenv("AUDITWHEEL_THREADS");
    std::optional<std::string> setting = option;
    if (!setting && variable != nullptr && *variable != '\0') setting = variable;
    if (setting) {
        unsigned value = 0;
        auto [end, error] = std::from_chars(setting->data(), setting->data() + setting->size(), value);
        if (error != std::errc() || end != setting->data() + setting->size() || value == 0 || value > 1024)
            fail_usage("{} must be a whole number from 1 to 1024, not '{}'", option ? "--threads" : "AUDITWHEEL_THREADS",
                       *setting);
        return value;
    }
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 0) return static_cast<unsigned>(CPU_COUNT(&cpus));
    return 1;
}

}  // namespace aw
