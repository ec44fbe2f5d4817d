// Helpers for the ledger tests: a naive RFC 9162 reference implementation,
// a throw-away PostgreSQL server, and child processes of the real binary.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "gatehouse/ledger_merkle.h"
#include "test_util.h"

namespace gatehouse::testing {

// ---- naive RFC 9162, written from the recursive definitions -----------------

inline ledger::Hash NaiveMth(const std::vector<ledger::Hash>& leaves, size_t b, size_t e) {
  if (e == b) return ledger::EmptyRoot();
  if (e - b == 1) return leaves[b];
  size_t k = 1;
  while (k * 2 < e - b) k *= 2;
  return ledger::HashChildren(NaiveMth(leaves, b, b + k), NaiveMth(leaves, b + k, e));
}

inline void NaivePath(const std::vector<ledger::Hash>& leaves, size_t m, size_t b, size_t e,
                      std::vector<ledger::Hash>* out) {
  if (e - b <= 1) return;
  size_t k = 1;
  while (k * 2 < e - b) k *= 2;
  if (m - b < k) {
    NaivePath(leaves, m, b, b + k, out);
    out->push_back(NaiveMth(leaves, b + k, e));
  } else {
    NaivePath(leaves, m, b + k, e, out);
    out->push_back(NaiveMth(leaves, b, b + k));
  }
}

inline void NaiveSubproof(const std::vector<ledger::Hash>& leaves, size_t m, size_t b, size_t e,
                          bool flag, std::vector<ledger::Hash>* out) {
  if (m == e - b) {
    if (!flag) out->push_back(NaiveMth(leaves, b, e));
    return;
  }
  size_t k = 1;
  while (k * 2 < e - b) k *= 2;
  if (m <= k) {
    NaiveSubproof(leaves, m, b, b + k, flag, out);
    out->push_back(NaiveMth(leaves, b + k, e));
  } else {
    NaiveSubproof(leaves, m - k, b + k, e, false, out);
    out->push_back(NaiveMth(leaves, b, b + k));
  }
}

inline std::vector<ledger::Hash> NaiveConsistency(const std::vector<ledger::Hash>& leaves, size_t m,
                                                  size_t n) {
  std::vector<ledger::Hash> out;
  if (m > 0 && m < n) NaiveSubproof(leaves, m, 0, n, true, &out);
  return out;
}

// ---- processes ---------------------------------------------------------------

inline int RunArgv(const std::vector<std::string>& argv, const std::string& log_path) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A child process with its stdout on a pipe.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& stdin_path = "/dev/null") {
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[0]);
      ::dup2(fds[1], 1);
      int in = ::open(stdin_path.c_str(), O_RDONLY);
      if (in >= 0) ::dup2(in, 0);
      int err = ::open("/dev/null", O_WRONLY);
      if (err >= 0) ::dup2(err, 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_fd_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
    if (out_fd_ >= 0) ::close(out_fd_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void Kill() { ::kill(pid_, SIGKILL); }
  int Wait() {
    if (reaped_) return status_;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return status_;
  }
  // Everything the child wrote (call after Wait or Kill).
  std::string ReadAllOutput() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(out_fd_, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// ---- PostgreSQL ----------------------------------------------------------------

// One PostgreSQL server for the whole test binary, started on first use in a
// mkdtemp directory on a free loopback port (as the `postgres` user when the
// tests run as root), stopped and deleted at exit. If the server binaries
// are missing, ok() is false and error() says so: callers FAIL, never skip.
class PgServer {
 public:
  static PgServer& Instance() {
    static PgServer server;
    return server;
  }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::string Url(const std::string& db) const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + db;
  }
  // A fresh, empty database; returns its URL ("" on failure, with error set).
  std::string CreateDatabase() {
    static std::atomic<int> counter{0};
    const std::string name =
        "ghtest" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    try {
      pqxx::connection c(Url("postgres"));
      pqxx::nontransaction q(c);
      q.exec0("CREATE DATABASE " + name);
    } catch (const std::exception& e) {
      error_ = std::string("CREATE DATABASE failed: ") + e.what();
      return "";
    }
    return Url(name);
  }
  ~PgServer() { Stop(); }
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

 private:
  PgServer() { Start(); }

  static std::string FindBinDir() {
    if (const char* env = std::getenv("GH_PG_BIN")) return env;
    std::string best;
    std::error_code ec;
    for (const auto& d : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
      std::string bin = d.path().string() + "/bin";
      if (::access((bin + "/initdb").c_str(), X_OK) == 0 && bin > best) best = bin;
    }
    return best;
  }

  std::vector<std::string> AsPostgres(std::vector<std::string> argv) const {
    if (!as_root_) return argv;
    std::vector<std::string> out = {runuser_, "-u", "postgres", "--"};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
  }

  static int FreePort() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    int port = -1;
    if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port = ntohs(addr.sin_port);
    ::close(s);
    return port;
  }

  std::string LogTail() const {
    std::string log = ReadAll(dir_ + "/postgres.log") + ReadAll(dir_ + "/initdb.log");
    return log.size() > 2000 ? log.substr(log.size() - 2000) : log;
  }

  void Start() {
    bin_ = FindBinDir();
    if (bin_.empty() || ::access((bin_ + "/postgres").c_str(), X_OK) != 0 ||
        ::access((bin_ + "/initdb").c_str(), X_OK) != 0) {
      error_ =
          "PostgreSQL server binaries (initdb, postgres, pg_ctl) not found under "
          "/usr/lib/postgresql/*/bin: install the Debian package postgresql (CI does) or set "
          "GH_PG_BIN. The PostgreSQL backend tests cannot run without them.";
      return;
    }
    as_root_ = ::geteuid() == 0;
    uid_t uid = 0;
    gid_t gid = 0;
    if (as_root_) {
      passwd* pw = ::getpwnam("postgres");
      if (!pw) {
        error_ = "running as root but there is no 'postgres' system user to run the server as";
        return;
      }
      uid = pw->pw_uid;
      gid = pw->pw_gid;
      for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"})
        if (::access(p, X_OK) == 0) runuser_ = p;
      if (runuser_.empty()) {
        error_ = "running as root but runuser(1) is missing";
        return;
      }
    }
    std::string tmpl = (std::filesystem::temp_directory_path() / "gh-pg-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
      error_ = "mkdtemp failed";
      return;
    }
    dir_ = tmpl;
    if (as_root_ && ::chown(dir_.c_str(), uid, gid) != 0) {
      error_ = "cannot chown " + dir_ + " to postgres";
      return;
    }
    ::chmod(dir_.c_str(), 0700);
    const std::string data = dir_ + "/data";
    int rc = RunArgv(AsPostgres({bin_ + "/initdb", "-D", data, "-U", "postgres", "-A", "trust",
                                 "-E", "UTF8", "--no-locale", "-N"}),
                     dir_ + "/initdb.log");
    if (rc != 0) {
      error_ = "initdb failed (exit " + std::to_string(rc) + "):\n" + LogTail();
      return;
    }
    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = FreePort();
      if (StartServer(data)) return;
    }
    error_ = "the PostgreSQL server did not start:\n" + LogTail();
  }

  bool StartServer(const std::string& data) {
    const std::string log = dir_ + "/postgres.log";
    std::vector<std::string> argv =
        AsPostgres({bin_ + "/postgres", "-D", data, "-p", std::to_string(port_), "-k", dir_, "-c",
                    "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                    "-c", "full_page_writes=off", "-c", "max_connections=200"});
    pid_ = ::fork();
    if (pid_ == 0) {
      // If the test binary dies, runuser gets SIGTERM and passes it on.
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      try {
        pqxx::connection c(Url("postgres"));
        return true;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return false;
  }

  void Stop() {
    if (pid_ > 0) {
      RunArgv(AsPostgres(
                  {bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w", "-t", "30", "stop"}),
              dir_ + "/pg_ctl.log");
      for (int i = 0; i < 100; ++i) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
          pid_ = -1;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
      }
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      dir_.clear();
    }
  }

  std::string bin_, dir_, runuser_, error_;
  bool as_root_ = false;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace gatehouse::testing
