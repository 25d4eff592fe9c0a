// parallel_for: every index once, and a serial loop's failure whatever the threads.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "base/worker_threads.hpp"

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(worker_threads)

BOOST_AUTO_TEST_CASE(every_index_runs_once) {
    for (unsigned threads : {1u, 2u, 7u}) {
        std::vector<std::atomic<int>> runs(1000);
        aw::parallel_for(runs.size(), threads, [&](std::size_t index) { ++runs[index]; });
        for (const auto& count : runs) BOOST_TEST(count.load() == 1);
    }
    aw::parallel_for(0, 4, [](std::size_t) { BOOST_FAIL("no index to run"); });
}

BOOST_AUTO_TEST_CASE(the_lowest_failure_is_thrown) {
    for (unsigned threads : {1u, 2u, 7u}) {
        try {
            aw::parallel_for(1000, threads, [&](std::size_t index) {
                if (index == 40 || index == 41 || index == 300) throw std::runtime_error("index " + std::to_string(index));
            });
            BOOST_FAIL("no failure thrown");
        } catch (const std::runtime_error& error) {
            BOOST_TEST(std::string(error.what()) == "index 40");
        }
    }
}

BOOST_AUTO_TEST_CASE(threads_are_capped_by_what_each_holds) {
    const std::size_t mib = std::size_t{1} << 20;
    BOOST_TEST(aw::threads_within_memory(2, mib) == 2u);
    BOOST_TEST(aw::threads_within_memory(64, 4 * mib) == 12u);
    BOOST_TEST(aw::threads_within_memory(64, 16 * mib) == 3u);
    BOOST_TEST(aw::threads_within_memory(64, 64 * mib) == 1u);  // never none
    BOOST_TEST(aw::threads_within_memory(1024, 0) == 1024u);
    BOOST_TEST(aw::threads_within_memory(64, 4 * mib) * 4 * mib <= aw::kThreadsMemory);
}

BOOST_AUTO_TEST_SUITE_END()
