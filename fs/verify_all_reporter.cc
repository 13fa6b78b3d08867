#include "fs/verify_all_reporter.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "fs/service_notify.h"

namespace sigmount::fs {
namespace {

constexpr std::uint64_t kMiB = 1ULL << 20;
constexpr std::uint64_t kGiB = 1ULL << 30;

// "1.5": `bytes` in the unit `total` is best told in (unit_name says which).
std::string in_display_unit(std::uint64_t bytes, std::uint64_t total) {
  const std::uint64_t unit = total >= kGiB ? kGiB : kMiB;
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.1f",
                static_cast<double>(bytes) / static_cast<double>(unit));
  return text.data();
}
const char* unit_name(std::uint64_t total) {
  return total >= kGiB ? " GiB" : " MiB";
}

std::string json_fields(const nlohmann::ordered_json& object) {
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

VerifyAllReporter::VerifyAllReporter(EventLogger& log, ServiceManager* service_manager,
                                     bool log_progress)
    : log_(log), service_manager_(service_manager), log_progress_(log_progress) {}

VerifyAllProgress VerifyAllReporter::progress() {
  VerifyAllProgress out;
  out.interval = kInterval;
  out.report = [this](std::uint64_t hashed, std::uint64_t total) { report(hashed, total); };
  return out;
}

std::string VerifyAllReporter::status_text(std::uint64_t hashed, std::uint64_t total) {
  const auto percent = total == 0
                           ? 100
                           : static_cast<int>(std::floor(100.0 * static_cast<double>(hashed) /
                                                         static_cast<double>(total)));
  return "Verifying the model: " + in_display_unit(hashed, total) + " of " +
         in_display_unit(total, total) + unit_name(total) + " hashed (" + std::to_string(percent) +
         "%)";
}

double VerifyAllReporter::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void VerifyAllReporter::report(std::uint64_t hashed, std::uint64_t total) {
  total_ = total;
  if (log_progress_) {
    log_.event("verify_progress",
               json_fields({{"bytes_hashed", hashed}, {"bytes", total}, {"seconds", seconds()}}));
  }
  if (service_manager_ == nullptr) return;
  std::string state = "STATUS=" + status_text(hashed, total);
  if (hashed > last_hashed_) {
    state +=
        "\nEXTEND_TIMEOUT_USEC=" + std::to_string(std::chrono::microseconds(kExtension).count());
  }
  last_hashed_ = hashed;
  service_manager_->tell(state);
}

void VerifyAllReporter::finished() {
  if (log_progress_) {
    log_.event("verified_all", json_fields({{"bytes", total_}, {"seconds", seconds()}}));
  }
  if (service_manager_ == nullptr) return;
  std::array<char, 32> taken{};
  std::snprintf(taken.data(), taken.size(), "%.1f", seconds());
  service_manager_->tell("STATUS=Verified every signed byte (" + in_display_unit(total_, total_) +
                         unit_name(total_) + " in " + taken.data() + " s); mounting");
}

}  // namespace sigmount::fs
