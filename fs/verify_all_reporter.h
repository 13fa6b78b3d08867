// How `mount --verify-all` tells the operator and a service manager that it is getting on.
// It runs before the mount exists, for as long as hashing the whole model takes (minutes for a
// large one), and systemd stops a Type=notify service that is not ready within
// TimeoutStartSec= unless it is told the start is still progressing (EXTEND_TIMEOUT_USEC).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "fs/event_log.h"
#include "fs/service_notify.h"
#include "fs/verified_file_core.h"

namespace sigmount::fs {

class VerifyAllReporter {
 public:
  static constexpr std::chrono::seconds kInterval{5};
  // Each time hashing has moved on since the last report, the start timeout is pushed to this
  // far from now: several reports may go missing on a busy machine before it runs out. A disk
  // that stops moving stops the extensions, and the service manager's timeout ends the wait.
  static constexpr std::chrono::seconds kExtension{30};

  // `service_manager`: the one to tell, when this process is the one a service manager waits
  // for (-f); nullptr when daemonizing (the command is not the service). `log_progress`: the
  // log is the journal, the terminal with -f or a --log-file, not a terminal the command
  // should keep quiet until the mount is ready.
  VerifyAllReporter(EventLogger& log, ServiceManager* service_manager, bool log_progress);

  // For VerifiedFileCore::verify_all. The reporter must outlive the call.
  VerifyAllProgress progress();
  // After verify_all returned: logs the time it took and tells the service manager.
  void finished();

  // The STATUS= line shown by `systemctl status` ("Verifying the model: 1.5 of 2.0 GiB
  // hashed (75%)"). Exposed for tests.
  static std::string status_text(std::uint64_t hashed, std::uint64_t total);

 private:
  void report(std::uint64_t hashed, std::uint64_t total);
  double seconds() const;

  EventLogger& log_;
  ServiceManager* service_manager_;
  bool log_progress_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::uint64_t last_hashed_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace sigmount::fs
