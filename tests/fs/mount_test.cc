// Real mounts through the `sigmount` binary (suite 'fuse'; needs root and /dev/fuse, and
// fails - never skips - without them). Every test unmounts what it mounted.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): POSIX sigset_t, pthread_sigmask
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "tests/common/notify_listener.h"
#include "tests/fs/signed_model.h"

namespace sigmount::fs {
namespace {

using sigmount::testing::NotifyListener;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;

std::string g_sigmount;         // path of the binary under test (argv[1])
std::string g_loop_fails_shim;  // LD_PRELOAD library that makes the FUSE loop fail (argv[2])

struct Spawned {
  pid_t pid = -1;
  std::filesystem::path output;  // stdout+stderr
};

// `env`: the child's environment (default: ours).
Spawned spawn(const std::vector<std::string>& args, const std::filesystem::path& output,
              const std::vector<std::string>* env = nullptr) {
  std::vector<char*> envp;
  if (env != nullptr) {
    for (const auto& e : *env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(),
                             env != nullptr ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot run " + args[0]);
  return {pid, output};
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

// The exit code (or 128 + signal) if `pid` ends within `patience`; otherwise kills it and
// returns nullopt. Not a speed check: a daemon still running after this long never stops.
std::optional<int> wait_exit_within(pid_t pid, std::chrono::seconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  int status = 0;
  pid_t exited = 0;
  while ((exited = waitpid(pid, &status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (exited == 0) {
    ::kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return std::nullopt;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The per-mount options of `mountpoint` in /proc/self/mountinfo ("ro,nosuid,nodev,..."), or
// nothing if it is not a mount point.
std::optional<std::string> mount_flags(const std::filesystem::path& mountpoint) {
  std::ifstream mounts("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point, flags;
    fields >> id >> parent >> dev >> root >> point >> flags;
    if (point == mountpoint.string()) return flags;
  }
  return std::nullopt;
}

bool is_mounted(const std::filesystem::path& mountpoint) {
  return mount_flags(mountpoint).has_value();
}

void force_unmount(const std::filesystem::path& mountpoint) {
  if (!is_mounted(mountpoint)) return;
  const Spawned run = spawn({"/bin/fusermount3", "-u", "-z", mountpoint.string()},
                            mountpoint.parent_path() / "force_unmount.out");
  wait_exit(run.pid);
}

void drop_caches() {
  ::sync();
  std::ofstream("/proc/sys/vm/drop_caches") << "3\n";
}

// A signed model on disk, with an unsigned extra file and the signature inside SOURCE.
struct Model {
  TempDir dir;
  std::filesystem::path source;
  std::map<std::string, Bytes> content;
  std::unique_ptr<testing::SignedModel> signed_model;

  explicit Model(const std::map<std::string, std::size_t>& sizes,
                 const testing::ModelSpec& spec = {}) {
    source = dir / "model";
    content = testing::write_random_model(source, sizes);
    std::vector<std::string> names;
    for (const auto& [name, bytes] : content) names.push_back(name);
    signed_model = std::make_unique<testing::SignedModel>(testing::sign_model(source, names, spec));
    std::filesystem::copy_file(signed_model->signature, source / "model.sig");
    testing::write_file(source / "unsigned.txt", as_bytes("not signed"));
    testing::write_file(source / "dir" / "also_unsigned", as_bytes("not signed"));
  }
};

// A mount made by `sigmount mount key` (daemonized: it returns once the mount answers).
class Mount {
 public:
  Mount(const Model& model, std::vector<std::string> extra = {}) : mountpoint_(model.dir / "mnt") {
    std::filesystem::create_directories(mountpoint_);
    std::vector<std::string> args = {g_sigmount, "mount", "key"};
    // The model's own key unless `extra` names one.
    if (std::find(extra.begin(), extra.end(), "--public-key") == extra.end()) {
      args.insert(args.end(), {"--public-key", model.signed_model->public_key.string()});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(model.source.string());
    args.push_back(mountpoint_.string());
    const Spawned run = spawn(args, model.dir / "mount.out");
    exit_code_ = wait_exit(run.pid);
    output_ = slurp(run.output);
    if (exit_code_ == 0) pid_ = status().at("pid").get<pid_t>();
  }
  ~Mount() { unmount(); }
  Mount(const Mount&) = delete;
  Mount& operator=(const Mount&) = delete;

  void unmount() {
    if (is_mounted(mountpoint_)) {
      const Spawned run = spawn({"/bin/fusermount3", "-u", "-z", mountpoint_.string()},
                                mountpoint_.parent_path() / "umount.out");
      wait_exit(run.pid);
    }
    // The daemon exits once its mount is gone; wait so nothing outlives the test.
    while (pid_ > 0 && ::kill(pid_, 0) == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    pid_ = -1;
  }

  nlohmann::json status() const {
    const std::filesystem::path out = mountpoint_.parent_path() / "status.out";
    const Spawned run = spawn({g_sigmount, "status", mountpoint_.string()}, out);
    if (wait_exit(run.pid) != 0) throw std::runtime_error("status failed: " + slurp(out));
    return nlohmann::json::parse(slurp(out));
  }

  int exit_code() const { return exit_code_; }
  const std::string& output() const { return output_; }
  pid_t pid() const { return pid_; }
  std::filesystem::path operator/(const std::string& name) const { return mountpoint_ / name; }
  const std::filesystem::path& path() const { return mountpoint_; }

 private:
  std::filesystem::path mountpoint_;
  int exit_code_ = -1;
  std::string output_;
  pid_t pid_ = -1;
};

// Runs `sigmount mount key -f` on `model` and returns once the mount shows in mountinfo (no
// deadline: a daemon that exits instead fails the test).
Spawned mount_in_foreground(const Model& model, const std::filesystem::path& mountpoint,
                            const std::vector<std::string>* env = nullptr,
                            const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {
      g_sigmount, "mount", "key", "--public-key", model.signed_model->public_key.string(), "-f"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {model.source.string(), mountpoint.string()});
  Spawned daemon = spawn(args, model.dir / "fg.out", env);
  while (!is_mounted(mountpoint)) {
    int status = 0;
    if (waitpid(daemon.pid, &status, WNOHANG) != 0) {
      throw std::runtime_error("the daemon exited before mounting: " + slurp(daemon.output));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return daemon;
}

// The JSON lines of a foreground daemon's log.
std::vector<nlohmann::json> log_events(const std::filesystem::path& output) {
  std::istringstream log(slurp(output));
  std::vector<nlohmann::json> events;
  std::string line;
  while (std::getline(log, line)) events.push_back(nlohmann::json::parse(line));
  return events;
}

// pread that reports errno instead of bytes on failure.
struct ReadResult {
  int error = 0;
  Bytes bytes;
};
ReadResult pread_file(const std::filesystem::path& path, std::uint64_t offset, std::size_t length) {
  ReadResult out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {errno, {}};
  out.bytes.resize(length);
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n =
        ::pread(fd, out.bytes.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      out.error = errno;
      break;
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.bytes.resize(done);
  return out;
}

Bytes slice(const Bytes& all, std::uint64_t offset, std::size_t length) {
  if (offset >= all.size()) return {};
  const auto end = std::min<std::uint64_t>(all.size(), offset + length);
  return Bytes(all.begin() + static_cast<std::ptrdiff_t>(offset),
               all.begin() + static_cast<std::ptrdiff_t>(end));
}

void flip_byte(const std::filesystem::path& path, std::uint64_t offset) {
  const int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  std::uint8_t byte = 0;
  ASSERT_EQ(::pread(fd, &byte, 1, static_cast<off_t>(offset)), 1);
  byte ^= 0x5a;
  ASSERT_EQ(::pwrite(fd, &byte, 1, static_cast<off_t>(offset)), 1);
  ::close(fd);
}

const std::map<std::string, std::size_t>& model_files() {
  static const std::map<std::string, std::size_t> files = {
      {"config.json", 517},
      {"dir/weights-00001.safetensors", 5 * 1024 * 1024 + 333},
      {"dir/sub/tokenizer.bin", 200 * 1024},
      {"empty", 0}};
  return files;
}

TEST(Mount, EveryReadEqualsTheSignedFile) {
  Model model(model_files());
  Mount mount(model);
  ASSERT_EQ(mount.exit_code(), 0) << mount.output();
  for (const auto& [name, bytes] : model.content) {
    const ReadResult whole = pread_file(mount / name, 0, bytes.size() + 10);
    ASSERT_EQ(whole.error, 0) << name;
    EXPECT_EQ(whole.bytes, bytes) << name;
    struct stat st {};
    ASSERT_EQ(::stat((mount / name).c_str(), &st), 0);
    EXPECT_EQ(static_cast<std::size_t>(st.st_size), bytes.size());
    EXPECT_EQ(st.st_mode & 07777, 0444u);
  }
  // 16 threads of random preads, after dropping every cache.
  drop_caches();
  const std::string big = "dir/weights-00001.safetensors";
  std::atomic<int> wrong{0};
  {
    std::vector<std::jthread> threads;
    threads.reserve(16);
    for (int t = 0; t < 16; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937_64 random(static_cast<std::uint64_t>(t));
        const int fd = ::open((mount / big).c_str(), O_RDONLY);
        if (fd < 0) {
          ++wrong;
          return;
        }
        const Bytes& expected = model.content.at(big);
        Bytes buffer(300000);
        for (int i = 0; i < 100; ++i) {
          const std::uint64_t offset = random() % expected.size();
          const std::size_t length = 1 + random() % buffer.size();
          const ssize_t n = ::pread(fd, buffer.data(), length, static_cast<off_t>(offset));
          if (n < 0 ||
              Bytes(buffer.begin(), buffer.begin() + n) != slice(expected, offset, length)) {
            ++wrong;
          }
        }
        ::close(fd);
      });
    }
  }
  EXPECT_EQ(wrong, 0);
  // mmap, shared and private.
  for (int flags : {MAP_SHARED, MAP_PRIVATE}) {
    drop_caches();
    const Bytes& expected = model.content.at(big);
    const int fd = ::open((mount / big).c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    void* map = ::mmap(nullptr, expected.size(), PROT_READ, flags, fd, 0);
    ASSERT_NE(map, MAP_FAILED) << "mmap flags " << flags << ": " << std::strerror(errno);
    EXPECT_EQ(std::memcmp(map, expected.data(), expected.size()), 0);
    ::munmap(map, expected.size());
    ::close(fd);
  }
  const nlohmann::json status = mount.status();
  EXPECT_EQ(status["counters"]["mismatches"], 0);
  EXPECT_GT(status["counters"]["bytes_served"].get<std::uint64_t>(), 0u);
  // 16 bytes per verified 64 KiB block, nothing dropped at this size.
  EXPECT_GT(status["counters"]["fingerprint_bytes"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(status["counters"]["fingerprints_dropped"], 0);
  EXPECT_EQ(status["files"], 4);
  EXPECT_THAT(status["signer"].get<std::string>(), HasSubstr("key"));
}

TEST(Mount, OnlySignedFilesAreVisible) {
  Model model(model_files());
  Mount mount(model);
  ASSERT_EQ(mount.exit_code(), 0) << mount.output();
  std::set<std::string> seen;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(mount.path())) {
    seen.insert(std::filesystem::relative(entry.path(), mount.path()).string());
  }
  const std::set<std::string> expected = {
      "config.json", "dir", "dir/sub", "dir/sub/tokenizer.bin", "dir/weights-00001.safetensors",
      "empty"};
  EXPECT_EQ(seen, expected);
  struct stat st {};
  for (const char* hidden : {"unsigned.txt", "model.sig", "dir/also_unsigned"}) {
    EXPECT_NE(::stat((mount / hidden).c_str(), &st), 0) << hidden;
    EXPECT_EQ(errno, ENOENT) << hidden;
  }
  char value[16];
  EXPECT_LT(::getxattr((mount / "config.json").c_str(), "user.x", value, sizeof value), 0);
  EXPECT_EQ(errno, ENODATA);
}

// Each file and directory shows its owner and read permissions from SOURCE (less the write
// bits), and the kernel enforces them: allow_other opens the mount to other users, not what
// SOURCE kept from them.
TEST(Mount, FilesKeepTheirOwnerAndReadPermissionsFromSource) {
  Model model({{"secret", 1000},
               {"shared", 1000},
               {"tool", 100},
               {"acl", 100},
               {"private/adapter.bin", 100}});
  ASSERT_EQ(::chmod((model.source / "secret").c_str(), 06600), 0);
  ASSERT_EQ(::chmod((model.source / "shared").c_str(), 0664), 0);
  ASSERT_EQ(::chown((model.source / "shared").c_str(), 1234, 5678), 0);
  ASSERT_EQ(::chmod((model.source / "tool").c_str(), 0755), 0);
  ASSERT_EQ(::chmod((model.source / "private").c_str(), 0700), 0);
  ASSERT_EQ(::chmod((model.source / "private/adapter.bin").c_str(), 0644), 0);
  ASSERT_EQ(::chmod(model.source.c_str(), 0751), 0);
  // root rw, user 4321 r (through the ACL), owning group nothing: the group bits show the
  // ACL's mask (r), which in the mount would let the group in.
  struct AclEntry {
    std::uint16_t tag, perm;
    std::uint32_t id;
  };
  struct Acl {
    std::uint32_t version = 2;
    std::array<AclEntry, 5> entries{
        {{0x01, 6, ~0U}, {0x02, 4, 4321}, {0x04, 0, ~0U}, {0x10, 4, ~0U}, {0x20, 0, ~0U}}};
  } acl;
  const bool acl_set = ::setxattr((model.source / "acl").c_str(), "system.posix_acl_access", &acl,
                                  sizeof acl, 0) == 0;
  Mount mount(model, {"-o", "allow_other"});
  ASSERT_EQ(mount.exit_code(), 0) << mount.output();
  const auto attributes = [&](const char* name) {
    struct stat st {};
    EXPECT_EQ(::stat((mount / name).c_str(), &st), 0) << name;
    return st;
  };
  EXPECT_EQ(attributes("secret").st_mode, S_IFREG | 0400) << "no set-ID bit, no write bit";
  EXPECT_EQ(attributes("secret").st_uid, 0u);
  EXPECT_EQ(attributes("shared").st_mode, S_IFREG | 0444);
  EXPECT_EQ(attributes("shared").st_uid, 1234u);
  EXPECT_EQ(attributes("shared").st_gid, 5678u);
  EXPECT_EQ(attributes("tool").st_mode, S_IFREG | 0555);
  EXPECT_EQ(attributes("private").st_mode, S_IFDIR | 0500);
  EXPECT_EQ(attributes(".").st_mode, S_IFDIR | 0551) << "the root is SOURCE";
  if (acl_set) {
    EXPECT_EQ(attributes("acl").st_mode, S_IFREG | 0400) << "the ACL's mask is not the group's";
  } else {
    EXPECT_EQ(errno, EOPNOTSUPP) << "no POSIX ACLs here: nothing to check";
  }
  // As nobody: "secret" stays closed, "shared" opens, and the file in a directory only its
  // owner may enter stays out of reach although the file itself is 0644. The child enters the
  // mount as root first: what it checks is the mount's own permissions, not those of the
  // directories above it (a machine whose "/" or temporary directory nobody may search).
  int report[2];
  ASSERT_EQ(::pipe2(report, O_CLOEXEC), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(report[0]);
    // No allocation after fork: the findings go into a fixed buffer.
    std::array<char, 512> text{};
    std::size_t used = 0;
    const auto note = [&](const char* format, const char* name, int error) {
      const int n = std::snprintf(text.data() + used, text.size() - used, format, name,
                                  error == 0 ? "opened" : std::strerror(error));
      if (n > 0) used = std::min(text.size() - 1, used + static_cast<std::size_t>(n));
    };
    if (::chdir(mount.path().c_str()) != 0 || ::setgroups(0, nullptr) != 0 ||
        ::setgid(65534) != 0 || ::setuid(65534) != 0) {
      note("%scould not become nobody in the mount: %s; ", "", errno);
    } else {
      for (const auto& [name, may_open] : {std::pair{"secret", false}, std::pair{"shared", true},
                                           std::pair{"private/adapter.bin", false}}) {
        const int fd = ::open(name, O_RDONLY);
        const int error = fd < 0 ? errno : 0;
        if (fd >= 0) ::close(fd);
        if (may_open && error != 0) note("%s: %s, expected it to open; ", name, error);
        if (!may_open && error != EACCES) note("%s: %s, expected EACCES; ", name, error);
      }
    }
    [[maybe_unused]] const ssize_t written = ::write(report[1], text.data(), used);
    ::_exit(0);
  }
  ::close(report[1]);
  std::string findings;
  std::array<char, 512> buffer{};
  for (ssize_t n; (n = ::read(report[0], buffer.data(), buffer.size())) > 0;) {
    findings.append(buffer.data(), static_cast<std::size_t>(n));
  }
  ::close(report[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(findings, "") << "as nobody (uid 65534)";
}

TEST(Mount, EveryWriteFailsWithEROFS) {
  Model model(model_files());
  Mount mount(model);
  ASSERT_EQ(mount.exit_code(), 0) << mount.output();
  const std::string file = (mount / "config.json").string();
  auto expect_erofs = [](int rc, const char* what) {
    EXPECT_LT(rc, 0) << what;
    EXPECT_EQ(errno, EROFS) << what;
  };
  expect_erofs(::open(file.c_str(), O_WRONLY), "open for writing");
  expect_erofs(::open(file.c_str(), O_RDWR), "open read-write");
  expect_erofs(::open((mount / "new").c_str(), O_WRONLY | O_CREAT, 0644), "create");
  expect_erofs(::truncate(file.c_str(), 0), "truncate");
  expect_erofs(::rename(file.c_str(), (mount / "renamed").c_str()), "rename");
  expect_erofs(::unlink(file.c_str()), "unlink");
  expect_erofs(::mkdir((mount / "d").c_str(), 0755), "mkdir");
  expect_erofs(::rmdir((mount / "dir/sub").c_str()), "rmdir");
  expect_erofs(::chmod(file.c_str(), 0777), "chmod");
  expect_erofs(::symlink("x", (mount / "link").c_str()), "symlink");
  expect_erofs(::setxattr(file.c_str(), "user.x", "1", 1, 0), "setxattr");
  // Nothing changed underneath.
  EXPECT_EQ(testing::read_file(model.source / "config.json"), model.content.at("config.json"));
}

// Whatever happens to the backing files, a read returns the signed bytes or fails.
void expect_signed_or_eio(const std::filesystem::path& path, const Bytes& signed_bytes,
                          std::uint64_t offset, std::size_t length, bool must_fail) {
  const ReadResult read = pread_file(path, offset, length);
  if (read.error == 0) {
    EXPECT_FALSE(must_fail) << "read at " << offset << " succeeded after tampering";
    EXPECT_EQ(read.bytes, slice(signed_bytes, offset, length)) << "TAMPERED BYTES SERVED";
  } else {
    EXPECT_EQ(read.error, EIO);
  }
}

TEST(Mount, TamperAfterMountFailsWithEIOAndNeverLeaksABadByte) {
  Model model(model_files());
  // No daemon cache: after drop_caches every read goes back to the backing file.
  Mount mount(model, {"--cache-size", "0"});
  ASSERT_EQ(mount.exit_code(), 0) << mount.output();
  const std::string big = "dir/weights-00001.safetensors";
  const Bytes& expected = model.content.at(big);
  // Fully read before the tamper.
  ASSERT_EQ(pread_file(mount / big, 0, expected.size()).bytes, expected);

  flip_byte(model.source / big, std::uint64_t{3} * 1024 * 1024 + 5);
  drop_caches();
  expect_signed_or_eio(mount / big, expected, std::uint64_t{3} * 1024 * 1024, 4096,
                       /*must_fail=*/true);
  expect_signed_or_eio(mount / big, expected, 0, 4096, false);
  const ReadResult clean = pread_file(mount / big, std::uint64_t{1} << 20, 65536);
  EXPECT_EQ(clean.error, 0) << "an untouched range still reads";
  // The whole file read in one go fails (the tampered block is in it).
  EXPECT_EQ(pread_file(mount / big, 0, expected.size()).error, EIO);

  // Truncated.
  std::filesystem::resize_file(model.source / "dir/sub/tokenizer.bin", 1000);
  drop_caches();
  expect_signed_or_eio(mount / "dir/sub/tokenizer.bin", model.content.at("dir/sub/tokenizer.bin"),
                       150000, 4096, /*must_fail=*/true);

  const nlohmann::json status = mount.status();
  EXPECT_GE(status["counters"]["mismatches"].get<int>(), 2);
}

// --log-file: the daemon's lines go to a file of the user's, and with /dev/stderr to the
// caller's stderr (a container's log, where no syslog listens), both after the command returns.
TEST(Mount, ALogFileGetsTheDaemonsLinesAfterItDetaches) {
  Model model({{"a", 100000}, {"b", 1000}});
  const auto events_in = [](const std::filesystem::path& log) {
    std::set<std::string> events;
    std::istringstream lines(slurp(log));
    for (std::string line; std::getline(lines, line);) {
      const auto json = nlohmann::json::parse(line, nullptr, false);
      if (json.is_object() && json.contains("event")) events.insert(json["event"]);
    }
    return events;
  };
  const auto wait_for_event = [&](const std::filesystem::path& log, const std::string& event) {
    for (int i = 0; i < 1500 && events_in(log).count(event) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return events_in(log).count(event) == 1;
  };
  const std::filesystem::path file = model.dir / "daemon.log";
  {
    Mount mount(model, {"--log-file", file.string()});
    ASSERT_EQ(mount.exit_code(), 0) << mount.output();
    EXPECT_EQ(mount.output(), "") << "the terminal stays quiet";
    EXPECT_TRUE(wait_for_event(file, "mounted")) << slurp(file);
    EXPECT_EQ(events_in(file).count("signature_verified"), 1u) << slurp(file);
  }
  EXPECT_TRUE(wait_for_event(file, "unmounted")) << slurp(file);

  const std::filesystem::path caller_stderr = model.dir / "mount.out";  // Mount's output
  Mount mount(model, {"--log-file", "/dev/stderr"});
  ASSERT_EQ(mount.exit_code(), 0) << mount.output();
  flip_byte(model.source / "a", 10);
  EXPECT_EQ(pread_file(mount / "a", 0, 100).error, EIO);
  EXPECT_TRUE(wait_for_event(caller_stderr, "mismatch")) << slurp(caller_stderr);
  mount.unmount();
  EXPECT_TRUE(wait_for_event(caller_stderr, "unmounted")) << slurp(caller_stderr);
}

// Replaced (a new file renamed over it) and renamed away, each after a full read. The daemon
// would still read the files it opened, which hold the signed bytes, but SOURCE is no longer
// what was signed: every read that reaches the daemon fails for those two.
TEST(Mount, ReplacedOrRenamedAwayAfterMountFailsWithEIO) {
  Model model(model_files());
  Mount mount(model, {"--cache-size", "0"});
  ASSERT_EQ(mount.exit_code(), 0) << mount.output();
  for (const auto& [name, bytes] : model.content) {
    ASSERT_EQ(pread_file(mount / name, 0, bytes.size() + 1).bytes, bytes) << name;
  }
  testing::write_file(model.dir / "evil", Bytes(517, 'A'));
  std::filesystem::rename(model.dir / "evil", model.source / "config.json");
  std::filesystem::create_directories(model.dir / "away");
  std::filesystem::rename(model.source / "dir/sub", model.dir / "away/sub");
  drop_caches();
  for (const std::string name : {"config.json", "dir/sub/tokenizer.bin"}) {
    expect_signed_or_eio(mount / name, model.content.at(name), 0, 512, /*must_fail=*/true);
  }
  const std::string intact = "dir/weights-00001.safetensors";
  EXPECT_EQ(pread_file(mount / intact, 0, 4096).bytes, slice(model.content.at(intact), 0, 4096));
  // At least one per file (the kernel retries a failed readahead with a read of its own).
  EXPECT_GE(mount.status()["counters"]["mismatches"].get<int>(), 2);
}

// A single-file model mounted over the directory that holds it (the mount hides the file it
// serves). The daemon looks at the file's name through the directory it opened before
// mounting: a look through the path would reach its own mount and call the file replaced.
TEST(Mount, ASingleFileModelMountedOverItsOwnDirectory) {
  TempDir dir;
  const auto content = testing::write_random_model(dir / "m", {{"real.gguf", 300000}});
  const auto signed_model = testing::sign_model(dir / "m" / "real.gguf", {"."});
  const std::vector<std::string> args = {g_sigmount,
                                         "mount",
                                         "key",
                                         "--public-key",
                                         signed_model.public_key.string(),
                                         "--signature",
                                         signed_model.signature.string(),
                                         "--cache-size",
                                         "0",
                                         "-o",
                                         "nonempty",
                                         (dir / "m" / "real.gguf").string(),
                                         (dir / "m").string()};
  const Spawned run = spawn(args, dir / "mount.out");
  ASSERT_EQ(wait_exit(run.pid), 0) << slurp(run.output);
  const Spawned status = spawn({g_sigmount, "status", (dir / "m").string()}, dir / "status.out");
  ASSERT_EQ(wait_exit(status.pid), 0);
  const auto daemon = nlohmann::json::parse(slurp(status.output)).at("pid").get<pid_t>();
  const std::filesystem::path served = dir / "m" / "real.gguf";
  EXPECT_EQ(pread_file(served, 0, 300000).bytes, content.at("real.gguf"));
  drop_caches();  // the next read goes back to the backing file, after a look at its name
  EXPECT_EQ(pread_file(served, 100000, 4096).bytes, slice(content.at("real.gguf"), 100000, 4096));
  const Spawned umount = spawn({"/bin/fusermount3", "-u", (dir / "m").string()}, dir / "u.out");
  EXPECT_EQ(wait_exit(umount.pid), 0) << slurp(umount.output);
  while (::kill(daemon, 0) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

TEST(Mount, TamperBeforeTheFirstReadFailsTheFile) {
  Model model(model_files());
  Mount mount(model);
  ASSERT_EQ(mount.exit_code(), 0) << mount.output();
  const std::string big = "dir/weights-00001.safetensors";
  flip_byte(model.source / big, 17);
  for (std::uint64_t offset : {std::uint64_t{0}, std::uint64_t{4} * 1024 * 1024}) {
    expect_signed_or_eio(mount / big, model.content.at(big), offset, 4096, /*must_fail=*/true);
  }
  const nlohmann::json status = mount.status();
  EXPECT_EQ(status["counters"]["mismatches"], 1);
}

TEST(Mount, ShardedModelWithVerifyAllAndFailClosed) {
  Model model(model_files(), testing::ModelSpec{hashing::HashAlgorithm::sha256, 1000000, false});
  {
    Mount mount(model, {"--verify-all", "--fail-closed"});
    ASSERT_EQ(mount.exit_code(), 0) << mount.output();
    EXPECT_EQ(mount.status()["counters"]["shards_verified"], 8);  // 6 + 1 + 1, "empty" unsigned
    const std::string big = "dir/weights-00001.safetensors";
    EXPECT_EQ(pread_file(mount / big, 2500000, 100).bytes,
              slice(model.content.at(big), 2500000, 100));
  }
  flip_byte(model.source / "config.json", 3);
  Mount refused(model, {"--verify-all"});
  EXPECT_EQ(refused.exit_code(), 1);
  EXPECT_THAT(refused.output(), HasSubstr("config.json"));
  EXPECT_FALSE(is_mounted(refused.path()));

  Mount lazy(model, {"--fail-closed"});
  ASSERT_EQ(lazy.exit_code(), 0) << lazy.output();
  EXPECT_EQ(pread_file(lazy / "config.json", 0, 10).error, EIO);
  EXPECT_EQ(pread_file(lazy / "dir/sub/tokenizer.bin", 0, 10).error, EIO) << "fail-closed";
}

// The kernel answers reads of pages it has cached without asking the daemon: fail-closed must
// drop them, or a file read before the mismatch stays readable.
TEST(Mount, FailClosedAlsoFailsReadsTheKernelHadCached) {
  Model model(model_files());
  Mount mount(model, {"--fail-closed"});
  ASSERT_EQ(mount.exit_code(), 0) << mount.output();
  const std::string cached = "dir/sub/tokenizer.bin";
  const Bytes& signed_bytes = model.content.at(cached);
  ASSERT_EQ(pread_file(mount / cached, 0, signed_bytes.size()).bytes, signed_bytes);
  ASSERT_EQ(pread_file(mount / cached, 0, 4096).error, 0) << "served from the kernel's cache";
  const int fd = ::open((mount / cached).c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  void* map = ::mmap(nullptr, signed_bytes.size(), PROT_READ, MAP_SHARED, fd, 0);
  ASSERT_NE(map, MAP_FAILED);
  const auto* mapped = static_cast<const volatile std::uint8_t*>(map);
  ASSERT_EQ(mapped[100], signed_bytes[100]);

  flip_byte(model.source / "config.json", 3);
  EXPECT_EQ(pread_file(mount / "config.json", 0, 10).error, EIO);
  // The cache is dropped on a thread of the daemon, just after the mismatch.
  int error = 0;
  for (int attempt = 0; attempt < 100 && error == 0; ++attempt) {
    error = pread_file(mount / cached, 0, 4096).error;
    if (error == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(error, EIO) << "a page the kernel had cached was still served after fail-closed";
  // The mapping lost its pages too: touching one now faults, the read fails, SIGBUS. In a
  // child, which faults the page afresh (fork copies no page table entries of shared file
  // mappings), so the parent's earlier access does not matter.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGBUS, SIG_DFL);  // not a sanitizer's handler: the death is the expected outcome
    const std::uint8_t byte = mapped[100];
    ::_exit(byte == signed_bytes[100] ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS)
      << "a mapped page was still readable after fail-closed (status " << status << ")";
  ::munmap(map, signed_bytes.size());
  ::close(fd);
  EXPECT_TRUE(mount.status()["failed_closed"].get<bool>());
}

TEST(Mount, MissingFileOrWrongKeyRefusesTheMount) {
  Model model(model_files());
  std::filesystem::remove(model.source / "dir/sub/tokenizer.bin");
  Mount missing(model);
  EXPECT_EQ(missing.exit_code(), 1);
  EXPECT_THAT(missing.output(), HasSubstr("dir/sub/tokenizer.bin"));
  EXPECT_THAT(missing.output(), HasSubstr("missing"));
  EXPECT_FALSE(is_mounted(missing.path()));

  Model other(model_files());
  std::filesystem::copy_file(other.signed_model->public_key, model.dir / "other.pub");
  Model fresh(model_files());
  Mount wrong_key(fresh, {});
  ASSERT_EQ(wrong_key.exit_code(), 0);
  wrong_key.unmount();
  // Same model, someone else's key.
  std::filesystem::copy_file(other.signed_model->public_key, fresh.signed_model->public_key,
                             std::filesystem::copy_options::overwrite_existing);
  Mount refused(fresh);
  EXPECT_EQ(refused.exit_code(), 1);
  EXPECT_FALSE(is_mounted(refused.path()));
}

TEST(Mount, SigtermUnmountsAndExitsZero) {
  Model model({{"a", 1000}});
  const std::filesystem::path mountpoint = model.dir / "mnt";
  std::filesystem::create_directories(mountpoint);
  const Spawned daemon = mount_in_foreground(model, mountpoint);
  EXPECT_EQ(pread_file(mountpoint / "a", 0, 1000).bytes, model.content.at("a"));
  ASSERT_EQ(::kill(daemon.pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit(daemon.pid), 0) << slurp(daemon.output);
  EXPECT_FALSE(is_mounted(mountpoint));
  // The foreground log is JSON lines.
  std::set<std::string> events;
  nlohmann::json unmounted;
  for (const auto& event : log_events(daemon.output)) {
    events.insert(event.at("event"));
    if (event.at("event") == "unmounted") unmounted = event;
  }
  EXPECT_TRUE(events.count("mounted"));
  ASSERT_TRUE(events.count("unmounted"));
  // The last word of a daemon whose status goes with it: its counters.
  EXPECT_EQ(unmounted["counters"]["bytes_served"], 1000);
  EXPECT_EQ(unmounted["counters"]["mismatches"], 0);
}

// What systemd's Type=notify needs: READY=1 only once the mount answers (a unit ordered after
// the service may read at once), STOPPING=1 on SIGTERM. Over a socket named by a path and one in
// the abstract namespace, the two forms NOTIFY_SOCKET takes.
TEST(Mount, TellsAServiceManagerWhenReadyAndWhenStopping) {
  Model model({{"a", 1000}});
  const std::filesystem::path mountpoint = model.dir / "mnt";
  std::filesystem::create_directories(mountpoint);
  const std::string path_name = (model.dir / "notify.sock").string();
  const std::string abstract_name = "@sigmount-test-notify-" + std::to_string(::getpid());
  for (const std::string& name : {path_name, abstract_name}) {
    const NotifyListener listener(name);
    ASSERT_TRUE(listener.bound()) << name;
    // The next datagram, or "" if none comes within a minute (a hung daemon, not a slow one).
    const auto next_message = [&] { return listener.next(60'000); };

    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      if (!std::string_view(*e).starts_with("NOTIFY_SOCKET=")) env.emplace_back(*e);
    }
    env.push_back("NOTIFY_SOCKET=" + name);
    const Spawned daemon =
        spawn({g_sigmount, "mount", "key", "--public-key", model.signed_model->public_key.string(),
               "-f", model.source.string(), mountpoint.string()},
              model.dir / "notify.out", &env);
    const std::string ready = next_message();
    if (ready.empty()) {
      ::kill(daemon.pid, SIGKILL);
      wait_exit(daemon.pid);
      force_unmount(mountpoint);
      FAIL() << "no READY=1 within a minute: " << slurp(daemon.output);
    }
    EXPECT_EQ(ready, "READY=1");
    EXPECT_EQ(next_message(), "STATUS=Serving verified bytes of " + model.source.string() + " at " +
                                  mountpoint.string());
    // Sent after INIT was answered, not merely after the mount call (a read would block
    // until INIT either way, so it could not tell).
    EXPECT_THAT(slurp(daemon.output), ::testing::HasSubstr("\"event\":\"mounted\""));
    EXPECT_EQ(pread_file(mountpoint / "a", 0, 1000).bytes, model.content.at("a"))
        << "readable as soon as READY=1 arrives";
    ASSERT_EQ(::kill(daemon.pid, SIGTERM), 0);
    EXPECT_EQ(next_message(), "STOPPING=1");
    EXPECT_EQ(wait_exit(daemon.pid), 0) << slurp(daemon.output);
    EXPECT_FALSE(is_mounted(mountpoint));
    EXPECT_EQ(slurp(daemon.output).find("notify_failed"), std::string::npos);
  }

  // Daemonized, the process the service manager started is the one that exits: the daemon
  // must not speak for it (nor for a command that runs its server after `sigmount mount`).
  const NotifyListener listener((model.dir / "notify-daemon.sock").string());
  ASSERT_TRUE(listener.bound());
  const std::string& name = listener.name();
  std::vector<std::string> env = {"NOTIFY_SOCKET=" + name};
  for (char** e = environ; *e != nullptr; ++e) {
    if (!std::string_view(*e).starts_with("NOTIFY_SOCKET=")) env.emplace_back(*e);
  }
  const Spawned command =
      spawn({g_sigmount, "mount", "key", "--public-key", model.signed_model->public_key.string(),
             model.source.string(), mountpoint.string()},
            model.dir / "notify-daemon.out", &env);
  EXPECT_EQ(wait_exit(command.pid), 0) << slurp(command.output);
  // The daemon would have sent READY=1 before telling the command it was ready.
  EXPECT_EQ(listener.next(), "") << "a daemonized mount sent a notification";
  force_unmount(mountpoint);
}

// A service manager that cannot be reached costs the mount nothing, and the log one line (not
// one per message: --verify-all's STATUS= reports, READY=1, STATUS=, STOPPING=1).
TEST(Mount, AnUnreachableServiceManagerIsLoggedOnce) {
  Model model({{"a", 1000}});
  const std::filesystem::path mountpoint = model.dir / "mnt";
  std::filesystem::create_directories(mountpoint);
  std::vector<std::string> env = {"NOTIFY_SOCKET=" + (model.dir / "nobody-listens").string()};
  for (char** e = environ; *e != nullptr; ++e) {
    if (!std::string_view(*e).starts_with("NOTIFY_SOCKET=")) env.emplace_back(*e);
  }
  const Spawned daemon = mount_in_foreground(model, mountpoint, &env, {"--verify-all"});
  EXPECT_EQ(pread_file(mountpoint / "a", 0, 1000).bytes, model.content.at("a"));
  // READY=1 is tried once the kernel's INIT is answered, a moment after the mount appears.
  for (int i = 0; i < 3000 && slurp(daemon.output).find("notify_failed") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(::kill(daemon.pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit(daemon.pid), 0) << slurp(daemon.output);
  std::size_t failures = 0;
  for (const auto& event : log_events(daemon.output)) {
    if (event.at("event") == "notify_failed") ++failures;
  }
  EXPECT_EQ(failures, 1u) << slurp(daemon.output);
}

// A daemon outlives the command that started it. Holding a descriptor that command inherited
// would keep, say, a build step's log pipe open for as long as the model stays mounted, and
// whoever waits for its EOF waiting with it. Inherited descriptors may also be what the
// command must read first: a key and a signature given as /dev/fd/N (`<(vault read ...)`).
TEST(Mount, TheDaemonKeepsNoDescriptorItInherited) {
  Model model({{"a", 1000}});
  std::array<int, 2> pipe_fds{-1, -1};
  // None close-on-exec: `sigmount mount` inherits them all, as from a shell's redirections.
  ASSERT_EQ(::pipe(pipe_fds.data()), 0);
  const int key = ::open(model.signed_model->public_key.c_str(), O_RDONLY);
  const int signature = ::open((model.source / "model.sig").c_str(), O_RDONLY);
  ASSERT_GE(key, 0);
  ASSERT_GE(signature, 0);
  std::filesystem::remove(model.source / "model.sig");  // only the descriptor has it now
  {
    Mount mount(model, {"--public-key", "/dev/fd/" + std::to_string(key), "--signature",
                        "/dev/fd/" + std::to_string(signature)});
    ::close(pipe_fds[1]);
    ::close(key);
    ::close(signature);
    ASSERT_EQ(mount.exit_code(), 0) << mount.output();
    EXPECT_EQ(pread_file(mount.path() / "a", 0, 1000).bytes, model.content.at("a"));
    // Every writer gone: the read end reports hang-up at once.
    pollfd hangup{.fd = pipe_fds[0], .events = POLLIN, .revents = 0};
    EXPECT_EQ(::poll(&hangup, 1, 0), 1);
    EXPECT_TRUE(hangup.revents & POLLHUP) << "the daemon still holds the inherited pipe";
  }
  ::close(pipe_fds[0]);
}

// --verify-all under a service manager: it hears how far hashing got (a large model takes
// minutes, past TimeoutStartSec=) and READY=1 only once every byte matched; the log tells the
// same story in order.
TEST(Mount, VerifyAllTellsAServiceManagerHowFarItGotBeforeReady) {
  Model model(model_files());
  const std::filesystem::path mountpoint = model.dir / "mnt";
  std::filesystem::create_directories(mountpoint);
  const NotifyListener listener((model.dir / "notify.sock").string());
  ASSERT_TRUE(listener.bound());
  std::vector<std::string> env = {"NOTIFY_SOCKET=" + listener.name()};
  for (char** e = environ; *e != nullptr; ++e) {
    if (!std::string_view(*e).starts_with("NOTIFY_SOCKET=")) env.emplace_back(*e);
  }
  const Spawned daemon =
      spawn({g_sigmount, "mount", "key", "--public-key", model.signed_model->public_key.string(),
             "--verify-all", "-f", model.source.string(), mountpoint.string()},
            model.dir / "notify.out", &env);
  struct StopOnExit {  // whatever fails below, nothing stays mounted or running
    pid_t pid;
    std::filesystem::path mountpoint;
    ~StopOnExit() {
      if (::kill(pid, 0) == 0) {
        ::kill(pid, SIGKILL);
        wait_exit(pid);
      }
      force_unmount(mountpoint);
    }
  } stop_on_exit{daemon.pid, mountpoint};
  std::vector<std::string> messages;
  while (messages.empty() || messages.back() != "READY=1") {
    std::string message = listener.next(60'000);
    ASSERT_FALSE(message.empty()) << "no READY=1 within a minute: " << slurp(daemon.output);
    messages.push_back(std::move(message));
  }
  EXPECT_THAT(listener.next(60'000), ::testing::StartsWith("STATUS=Serving verified bytes of "));
  // However quick the hashing, its last report comes before the verdict, and the verdict
  // before READY=1. The first report that saw bytes hashed extended the start timeout.
  ASSERT_GE(messages.size(), 3u);
  const std::string& last_report = messages[messages.size() - 3];
  EXPECT_THAT(last_report, ::testing::StartsWith("STATUS=Verifying the model: "));
  EXPECT_THAT(last_report, ::testing::HasSubstr("(100%)"));
  EXPECT_THAT(messages[messages.size() - 2],
              ::testing::StartsWith("STATUS=Verified every signed byte ("));
  EXPECT_TRUE(std::any_of(messages.begin(), messages.end(), [](const std::string& message) {
    return message.find("\nEXTEND_TIMEOUT_USEC=30000000") != std::string::npos;
  }));
  ASSERT_EQ(::kill(daemon.pid, SIGTERM), 0);
  EXPECT_EQ(listener.next(60'000), "STOPPING=1");
  EXPECT_EQ(wait_exit(daemon.pid), 0) << slurp(daemon.output);

  std::uint64_t signed_bytes = 0;
  for (const auto& [path, bytes] : model.content) signed_bytes += bytes.size();
  std::vector<std::string> order;
  for (const auto& event : log_events(daemon.output)) {
    const std::string name = event.at("event");
    if (name != "signature_verified" && name != "verify_progress" && name != "verified_all" &&
        name != "mounted") {
      continue;
    }
    if (name == "verify_progress") {
      EXPECT_EQ(event.at("bytes"), signed_bytes);
      if (!order.empty() && order.back() == name) continue;  // one entry per run of them
    }
    if (name == "verified_all") {
      EXPECT_EQ(event.at("bytes"), signed_bytes);
    }
    order.push_back(name);
  }
  EXPECT_THAT(order, ::testing::ElementsAre("signature_verified", "verify_progress", "verified_all",
                                            "mounted"));
}

// A loader retrying a failing read logs one line per 10 s, not one per read; what was held back
// is logged within the interval, and the rest by the time the daemon is gone: the lines account
// for every failure.
TEST(Mount, EveryFailureIsAccountedForInTheLogByUnmount) {
  Model model({{"a", 1000}});
  const std::filesystem::path mountpoint = model.dir / "mnt";
  std::filesystem::create_directories(mountpoint);
  const Spawned daemon = mount_in_foreground(model, mountpoint);
  std::filesystem::rename(model.source / "a", model.source / "a.moved");
  constexpr int kReads = 6;
  for (int i = 0; i < kReads; ++i) EXPECT_EQ(pread_file(mountpoint / "a", 0, 1000).error, EIO);
  // The daemon logs what it held back within the interval (10 s), without waiting for more
  // failures or for the unmount.
  const auto held_back_line_logged = [&] {
    for (const auto& event : log_events(daemon.output)) {
      if (event.at("event") == "mismatch" && event.contains("suppressed")) return true;
    }
    return false;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!held_back_line_logged() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(held_back_line_logged()) << slurp(daemon.output);
  // These count as repeats of the line just logged: held back again, until the unmount.
  constexpr int kMoreReads = 3;
  for (int i = 0; i < kMoreReads; ++i) {
    EXPECT_EQ(pread_file(mountpoint / "a", 0, 1000).error, EIO);
  }
  ASSERT_EQ(::kill(daemon.pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit(daemon.pid), 0) << slurp(daemon.output);

  std::uint64_t mismatch_lines = 0;
  std::uint64_t accounted = 0;
  nlohmann::json unmounted;
  for (const auto& event : log_events(daemon.output)) {
    if (event.at("event") == "mismatch") {
      ++mismatch_lines;
      accounted += 1 + event.value("suppressed", std::uint64_t{0});
    }
    if (event.at("event") == "unmounted") unmounted = event;
  }
  const std::uint64_t mismatches = unmounted["counters"]["mismatches"];
  EXPECT_GE(mismatches, std::uint64_t{kReads + kMoreReads});
  EXPECT_EQ(accounted, mismatches) << slurp(daemon.output);
  EXPECT_LT(mismatch_lines, mismatches) << "repeats within 10 s were held back";
}

// A stop request during start-up, while the kernel's INIT may still be unanswered, once hung
// the daemon for good: the loop ended at once and the helper thread waiting for INIT (to raise
// the readahead) was joined before the unmount that would have released it. Each round sends
// SIGTERM as soon as the mount shows in mountinfo; before the fix, rounds 0 and 3 of two runs
// hung.
TEST(Mount, SigtermRightAfterTheMountAppearsStillUnmountsAndExitsZero) {
  Model model({{"a", 1000}});
  const std::filesystem::path mountpoint = model.dir / "mnt";
  std::filesystem::create_directories(mountpoint);
  for (int round = 0; round < 40; ++round) {
    const Spawned daemon =
        spawn({g_sigmount, "mount", "key", "--public-key", model.signed_model->public_key.string(),
               "-f", model.source.string(), mountpoint.string()},
              model.dir / "fg.out");
    int status = 0;
    pid_t exited = 0;
    while (!is_mounted(mountpoint) && (exited = waitpid(daemon.pid, &status, WNOHANG)) == 0) {
    }
    ASSERT_EQ(exited, 0) << "the daemon ended before mounting: " << slurp(daemon.output);
    ASSERT_EQ(::kill(daemon.pid, SIGTERM), 0);
    const std::optional<int> code = wait_exit_within(daemon.pid, std::chrono::seconds(60));
    if (!code) {
      force_unmount(mountpoint);
      FAIL() << "round " << round << ": SIGTERM did not stop the daemon: " << slurp(daemon.output);
    }
    EXPECT_EQ(*code, 0) << "round " << round << ": " << slurp(daemon.output);
    ASSERT_FALSE(is_mounted(mountpoint)) << "round " << round;
  }
}

// A FUSE loop that fails before the kernel's INIT is answered (made so by a preloaded shim)
// once hung both ways below: the ready thread waited for INIT forever, and the daemon joined it
// (and the command waited for the daemon, its copy of /dev/fuse keeping the connection alive).
TEST(Mount, ALoopThatFailsBeforeInitStillUnmountsAndExits) {
  Model model({{"a", 1000}});
  const std::filesystem::path mountpoint = model.dir / "mnt";
  std::filesystem::create_directories(mountpoint);
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  env.push_back("LD_PRELOAD=" + g_loop_fails_shim);
  for (std::string& e : env) {
    // Under ASan the preloaded shim comes before the sanitizer runtime; that is fine here.
    if (e.starts_with("ASAN_OPTIONS=")) e += ":verify_asan_link_order=0";
  }
  const auto mount = [&](std::vector<std::string> tail) {
    std::vector<std::string> args = {g_sigmount, "mount", "key", "--public-key",
                                     model.signed_model->public_key.string()};
    args.insert(args.end(), tail.begin(), tail.end());
    return args;
  };

  // Daemonized: the command reports that the daemon never became ready.
  const Spawned daemonized =
      spawn(mount({model.source.string(), mountpoint.string()}), model.dir / "d.out", &env);
  std::optional<int> code = wait_exit_within(daemonized.pid, std::chrono::seconds(60));
  EXPECT_EQ(code, std::optional<int>(1)) << slurp(daemonized.output);
  // Its daemon unmounts and goes too.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (is_mounted(mountpoint) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(is_mounted(mountpoint));
  force_unmount(mountpoint);

  // In the foreground, with a SIGTERM taken while the loop still runs.
  const Spawned foreground =
      spawn(mount({"-f", model.source.string(), mountpoint.string()}), model.dir / "f.out", &env);
  while (!is_mounted(mountpoint) && waitpid(foreground.pid, nullptr, WNOHANG) == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::kill(foreground.pid, SIGTERM);
  code = wait_exit_within(foreground.pid, std::chrono::seconds(60));
  EXPECT_EQ(code, std::optional<int>(1)) << slurp(foreground.output);
  EXPECT_FALSE(is_mounted(mountpoint));
  force_unmount(mountpoint);
}

TEST(Mount, KilledDaemonLeavesAMountThatFusermountClears) {
  Model model({{"a", 1000}});
  Mount mount(model);
  ASSERT_EQ(mount.exit_code(), 0) << mount.output();
  ASSERT_EQ(::kill(mount.pid(), SIGKILL), 0);
  while (::kill(mount.pid(), 0) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  struct stat st {};
  EXPECT_NE(::stat((mount / "a").c_str(), &st), 0);
  EXPECT_EQ(errno, ENOTCONN);
  ASSERT_TRUE(is_mounted(mount.path()));
  const Spawned run = spawn({"/bin/fusermount3", "-u", mount.path().string()}, model.dir / "u.out");
  EXPECT_EQ(wait_exit(run.pid), 0) << slurp(run.output);
  EXPECT_FALSE(is_mounted(mount.path()));
}

TEST(Mount, MountHelperFormFromFstab) {
  // What an fstab line runs: mount(8) runs mount.fuse3, which runs `sigmount SOURCE MNT -o
  // OPTS`. The line says neither "ro" nor "nosuid": mount(8) then passes "rw" and mount.fuse3
  // "dev,suid", and the mount is read-only, nosuid and nodev all the same. mount.fuse3 looks
  // for a `fuse.sigmount` type's program in a fixed PATH, where the binary under test is not;
  // the `fuse` type's "PROGRAM#SOURCE" form names it and runs the same way.
  Model model(model_files());
  const std::filesystem::path mountpoint = model.dir / "mnt";
  std::filesystem::create_directories(mountpoint);
  const std::string options = "sigmount.key=" + model.signed_model->public_key.string() +
                              ",sigmount.fail_closed,nofail,_netdev,noatime,allow_other";
  const Spawned run = spawn({"/bin/mount", "-t", "fuse", "-o", options,
                             g_sigmount + "#" + model.source.string(), mountpoint.string()},
                            model.dir / "helper.out");
  ASSERT_EQ(wait_exit(run.pid), 0) << slurp(run.output);
  const std::optional<std::string> flags = mount_flags(mountpoint);
  ASSERT_TRUE(flags.has_value());
  EXPECT_THAT("," + *flags + ",",
              AllOf(HasSubstr(",ro,"), HasSubstr(",nosuid,"), HasSubstr(",nodev,")));
  EXPECT_EQ(pread_file(mountpoint / "config.json", 0, 1000).bytes, model.content.at("config.json"));
  const Spawned status = spawn({g_sigmount, "status", mountpoint.string()}, model.dir / "st.out");
  ASSERT_EQ(wait_exit(status.pid), 0);
  const auto json = nlohmann::json::parse(slurp(status.output));
  EXPECT_EQ(json["fail_closed"], true);
  const pid_t daemon = json["pid"].get<pid_t>();
  const Spawned umount = spawn({"/bin/umount", mountpoint.string()}, model.dir / "umount.out");
  EXPECT_EQ(wait_exit(umount.pid), 0) << slurp(umount.output);
  EXPECT_FALSE(is_mounted(mountpoint));
  while (::kill(daemon, 0) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

TEST(Mount, StatusOfSomethingElseFails) {
  TempDir dir;
  const Spawned run = spawn({g_sigmount, "status", dir.path().string()}, dir / "out");
  EXPECT_EQ(wait_exit(run.pid), 1);
  EXPECT_THAT(slurp(run.output), HasSubstr("is not a sigmount mount"));
  // Anyone may set the attribute on a directory of theirs: a forged status is not believed.
  const std::string forged = R"({"model":"FAKE","counters":{"mismatches":0}})";
  const std::filesystem::path fake = dir / "fake";
  std::filesystem::create_directories(fake);
  if (::setxattr(fake.c_str(), "user.sigmount.status", forged.data(), forged.size(), 0) == 0) {
    const Spawned forged_run = spawn({g_sigmount, "status", fake.string()}, dir / "forged.out");
    EXPECT_EQ(wait_exit(forged_run.pid), 1);
    EXPECT_THAT(slurp(forged_run.output), Not(HasSubstr("FAKE")));
  } else {
    EXPECT_EQ(errno, ENOTSUP) << "user xattrs are off here: nothing can be forged";
  }
}

// Under sanitizers (a sanitized build sets SIGMOUNT_SANITIZER_REPORTS) the processes these
// tests start write their sanitizer reports to files in that folder instead of stderr: the
// daemon's stderr is /dev/null, and it is nobody's child once it has daemonized, so neither
// its output nor its exit status reach a test. Every test waits for the daemons it started to
// exit (leak checks run then), so a report file that appears during a test fails that test.
class SanitizerReportCheck : public ::testing::EmptyTestEventListener {
 public:
  explicit SanitizerReportCheck(std::filesystem::path folder) : folder_(std::move(folder)) {
    std::filesystem::remove_all(folder_);
    std::filesystem::create_directories(folder_);
    // The sanitizers read these once at start: this process keeps reporting to stderr, every
    // process spawned from now on writes to FOLDER/report.PID.
    for (const char* variable : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS"}) {
      const char* options = std::getenv(variable);
      std::string value = options != nullptr ? std::string(options) + ":" : std::string();
      value += "log_path=" + (folder_ / "report").string();
      ::setenv(variable, value.c_str(), 1);
    }
  }

  void OnTestEnd(const ::testing::TestInfo&) override {
    for (const auto& entry : std::filesystem::directory_iterator(folder_)) {
      if (!reported_.insert(entry.path()).second) continue;
      ADD_FAILURE() << "sanitizer report from a spawned sigmount process, " << entry.path() << ":\n"
                    << slurp(entry.path());
    }
  }

 private:
  std::filesystem::path folder_;
  std::set<std::filesystem::path> reported_;
};

}  // namespace
}  // namespace sigmount::fs

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (const char* folder = std::getenv("SIGMOUNT_SANITIZER_REPORTS")) {
    // gtest owns and deletes the listener.
    ::testing::UnitTest::GetInstance()->listeners().Append(
        new sigmount::fs::SanitizerReportCheck(folder));  // NOLINT(cppcoreguidelines-owning-memory)
  }
  if (argc < 3) {
    std::fprintf(stderr, "usage: fs_mount_tests PATH_TO_SIGMOUNT PATH_TO_LOOP_FAILS_SHIM\n");
    return 2;
  }
  sigmount::fs::g_sigmount = std::filesystem::absolute(argv[1]).string();
  sigmount::fs::g_loop_fails_shim = std::filesystem::absolute(argv[2]).string();
  // These tests exist to run: missing prerequisites are a failure, not a skip.
  if (::access("/dev/fuse", R_OK | W_OK) != 0) {
    std::fprintf(stderr, "FAIL: /dev/fuse is missing or not accessible: the fuse suite needs it\n");
    return 1;
  }
  if (::geteuid() != 0) {
    std::fprintf(stderr, "FAIL: the fuse suite runs as root (drop_caches, mounts)\n");
    return 1;
  }
  return RUN_ALL_TESTS();
}
