// Test helper: a throwaway PostgreSQL 15 server from Debian's postgresql-15, started in a
// temporary directory (data, socket and log) on a free loopback port and stopped (and the
// directory removed) on destruction. initdb and postgres refuse to run as root, so under
// root (as CI runs) they run as the `postgres` user the Debian package creates, owning the
// directory. The superuser is `gridpilot` with a random password, host connections use
// scram-sha-256: a test's URL carries a real password, so it can check that none leaks.
// A server that cannot start is a test failure, never a skip: deploy/install-deps.sh
// installs PostgreSQL.
#ifndef GRIDPILOT_TESTS_INTEGRATION_POSTGRES_SERVER_H_
#define GRIDPILOT_TESTS_INTEGRATION_POSTGRES_SERVER_H_

#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/gateway/postgres_connection.h"

namespace gridpilot::testing {

class PostgresServer {
 public:
  static constexpr char kBinDir[] = "/usr/lib/postgresql/15/bin";

  // Starts a server; nullptr after a test failure naming what went wrong.
  static std::unique_ptr<PostgresServer> Start() {
    if (!std::filesystem::exists(absl::StrCat(kBinDir, "/initdb"))) {
      ADD_FAILURE() << kBinDir << "/initdb not found: PostgreSQL 15 is not installed "
                    << "(deploy/install-deps.sh installs postgresql-15)";
      return nullptr;
    }
    std::unique_ptr<PostgresServer> server(new PostgresServer());
    std::string pattern = "/tmp/gridpilot-pg-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp " << pattern;
      return nullptr;
    }
    server->dir_ = pattern;
    std::random_device random;
    server->password_ = absl::StrCat("pw", random(), random());
    if (geteuid() == 0) {
      const passwd* user = getpwnam("postgres");
      if (user == nullptr) {
        ADD_FAILURE() << "running as root and there is no user `postgres` to run the server "
                         "(the postgresql-15 package creates it)";
        return nullptr;
      }
      if (chown(server->dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
        ADD_FAILURE() << "chown " << server->dir_;
        return nullptr;
      }
      server->as_user_ = "runuser -u postgres -- ";
    }
    const std::string pwfile = server->dir_ + "/pw";
    std::ofstream(pwfile) << server->password_ << "\n";
    if (!server->as_user_.empty()) {
      if (std::system(absl::StrCat("chown postgres ", pwfile).c_str()) != 0) {
        ADD_FAILURE() << "chown " << pwfile;
        return nullptr;
      }
    }
    if (!server->Run(absl::StrCat(kBinDir, "/initdb -D ", server->data_dir(),
                                  " -U gridpilot --pwfile=", pwfile,
                                  " --auth-host=scram-sha-256 --auth-local=peer -E UTF8 "
                                  "--no-locale > ",
                                  server->dir_, "/initdb.log 2>&1"))) {
      ADD_FAILURE() << "initdb failed: " << server->ReadFile("/initdb.log");
      return nullptr;
    }
    std::filesystem::remove(pwfile);
    // A free port may be taken between the probe and the bind: try a few.
    for (int attempt = 0; attempt < 3 && server->port_ == 0; ++attempt) {
      const int port = FreePort();
      if (server->Run(absl::StrCat(kBinDir, "/pg_ctl -D ", server->data_dir(), " -l ", server->dir_,
                                   "/server.log -w -t 60 -o \"-p ", port,
                                   " -c listen_addresses=127.0.0.1 -k ", server->dir_,
                                   " -c fsync=off\" start > /dev/null 2>&1"))) {
        server->port_ = port;
      }
    }
    if (server->port_ == 0) {
      ADD_FAILURE() << "pg_ctl start failed: " << server->ReadFile("/server.log");
      return nullptr;
    }
    return server;
  }

  ~PostgresServer() {
    if (port_ != 0) Stop("fast");
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // A connection URI for database `db` as user gridpilot, with the password.
  std::string Url(const std::string& db = "postgres") const {
    return absl::StrCat("postgresql://gridpilot:", password_, "@127.0.0.1:", port_, "/", db);
  }
  const std::string& password() const { return password_; }
  int port() const { return port_; }

  // Creates database `db`; false after a test failure.
  bool CreateDatabase(const std::string& db) {
    absl::StatusOr<std::unique_ptr<PostgresConnection>> admin =
        PostgresConnection::Connect(Url("postgres"), 1);
    if (!admin.ok()) {
      ADD_FAILURE() << admin.status();
      return false;
    }
    const absl::Status created = (*admin)->Exec(absl::StrCat("CREATE DATABASE ", db));
    if (!created.ok()) ADD_FAILURE() << created;
    return created.ok();
  }
  // Stops the server: "fast" (clients disconnected cleanly) or "immediate" (as a crash).
  void Stop(const std::string& mode) {
    Run(absl::StrCat(kBinDir, "/pg_ctl -D ", data_dir(), " -m ", mode,
                     " -w stop > /dev/null 2>&1"));
    port_ = 0;
  }

 private:
  PostgresServer() = default;
  std::string data_dir() const { return dir_ + "/data"; }
  bool Run(const std::string& command) const {
    const std::string full = absl::StrCat("cd / && ", as_user_, "/bin/sh -c '", command, "'");
    return std::system(full.c_str()) == 0;
  }
  std::string ReadFile(const std::string& name) const {
    std::ifstream in(dir_ + name);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  static int FreePort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t length = sizeof(addr);
    int port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0) {
      port = ntohs(addr.sin_port);
    }
    close(fd);
    return port;
  }

  std::string dir_;
  std::string password_;
  std::string as_user_;  // "runuser -u postgres -- " under root
  int port_ = 0;
};

}  // namespace gridpilot::testing

#endif  // GRIDPILOT_TESTS_INTEGRATION_POSTGRES_SERVER_H_
