#include "services/security/credentials_init.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/security/private_file.h"
#include "services/security/roles.h"
#include "services/security/token_table.h"

extern char** environ;

namespace gridpilot::security {
namespace {

// Runs `openssl args...` with its output sent to `log`; Unavailable naming the step and the
// tail of openssl's output if it fails.
absl::Status RunOpenssl(const std::vector<std::string>& args, const std::string& log,
                        const std::string& step) {
  std::vector<std::string> argv_storage = {"openssl"};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "openssl", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return absl::UnavailableError(
        absl::StrCat(step, ": cannot run openssl: ", std::strerror(spawned)));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  absl::StatusOr<std::string> output = ReadPublicFile(log);
  return absl::UnavailableError(
      absl::StrCat(step, ": openssl failed: ", output.ok() ? *output : "(no output)"));
}

std::string Path(const std::string& dir, const std::string& name) {
  return absl::StrCat(dir, "/", name);
}

}  // namespace

absl::Status InitCredentials(const std::string& dir) {
  std::error_code error;
  if (std::filesystem::exists(Path(dir, "ca.pem"), error)) {
    return absl::AlreadyExistsError(
        absl::StrCat(dir, " already holds credentials (ca.pem); not overwriting them"));
  }
  std::filesystem::create_directories(dir, error);
  if (error) return absl::UnavailableError(absl::StrCat(dir, ": ", error.message()));
  if (chmod(dir.c_str(), 0700) != 0) {
    return absl::UnavailableError(absl::StrCat(dir, ": ", std::strerror(errno)));
  }
  const std::string log = Path(dir, "openssl.log");
  const std::vector<std::string> ec_key = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                           "-nodes"};
  std::vector<std::string> ca_args = {"req", "-x509", "-new"};
  ca_args.insert(ca_args.end(), ec_key.begin(), ec_key.end());
  for (const std::string& a : {std::string("-keyout"), Path(dir, "ca.key"), std::string("-out"),
                               Path(dir, "ca.pem"), std::string("-days"), std::string("3650"),
                               std::string("-subj"), std::string("/O=gridpilot/CN=gridpilot-ca")}) {
    ca_args.push_back(a);
  }
  if (absl::Status made = RunOpenssl(ca_args, log, "the CA"); !made.ok()) return made;
  for (const std::string& name : ProcessIdentities()) {
    const std::string csr = Path(dir, name + ".csr");
    const std::string extensions = Path(dir, name + ".ext");
    std::vector<std::string> request = {"req", "-new"};
    request.insert(request.end(), ec_key.begin(), ec_key.end());
    for (const std::string& a :
         {std::string("-keyout"), Path(dir, name + ".key"), std::string("-out"), csr,
          std::string("-subj"), absl::StrCat("/O=gridpilot/CN=", name)}) {
      request.push_back(a);
    }
    if (absl::Status made = RunOpenssl(request, log, name + "'s key"); !made.ok()) return made;
    absl::Status written = WritePrivateFile(
        extensions, absl::StrCat("basicConstraints=critical,CA:FALSE\n"
                                 "keyUsage=critical,digitalSignature,keyEncipherment\n"
                                 "extendedKeyUsage=serverAuth,clientAuth\n"
                                 "subjectAltName=DNS:localhost,DNS:",
                                 name, ",IP:127.0.0.1,URI:gridpilot:", name, "\n"));
    if (!written.ok()) return written;
    const std::vector<std::string> sign = {"x509",
                                           "-req",
                                           "-in",
                                           csr,
                                           "-CA",
                                           Path(dir, "ca.pem"),
                                           "-CAkey",
                                           Path(dir, "ca.key"),
                                           "-CAcreateserial",
                                           "-CAserial",
                                           Path(dir, "ca.srl"),
                                           "-days",
                                           "825",
                                           "-extfile",
                                           extensions,
                                           "-out",
                                           Path(dir, name + ".pem")};
    if (absl::Status made = RunOpenssl(sign, log, name + "'s certificate"); !made.ok()) {
      return made;
    }
    std::filesystem::remove(csr, error);
    std::filesystem::remove(extensions, error);
  }
  std::string hashes = "# <role> <sha256 of the token>: the server side of the bearer tokens\n";
  for (const std::string& role : PersonRoles()) {
    absl::StatusOr<std::string> token = NewBearerToken();
    if (!token.ok()) return token.status();
    absl::Status written = WritePrivateFile(Path(dir, role + ".token"), *token + "\n");
    if (!written.ok()) return written;
    absl::StrAppend(&hashes, role, " ", Sha256Hex(*token), "\n");
  }
  absl::Status written = WritePrivateFile(Path(dir, "tokens.sha256"), hashes);
  if (!written.ok()) return written;
  if (absl::Status made = EnsureProcessTokens(dir); !made.ok()) return made;
  // openssl writes keys 0600 under a umask of 022 only since 3.0; force it regardless.
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".key") chmod(entry.path().c_str(), 0600);
  }
  std::filesystem::remove(log, error);
  return absl::OkStatus();
}

absl::Status EnsureProcessTokens(const std::string& dir) {
  const std::string table_path = Path(dir, "tokens.sha256");
  absl::StatusOr<std::string> table = ReadPrivateFile(table_path);
  if (!table.ok()) return table.status();
  std::vector<std::pair<std::string, std::string>> made;  // {token file, token}
  std::string added;
  for (const std::string& name : ProcessIdentities()) {
    const std::string token_path = Path(dir, name + ".process-token");
    std::error_code error;
    if (std::filesystem::exists(token_path, error)) continue;
    absl::StatusOr<std::string> token = NewBearerToken();
    if (!token.ok()) return token.status();
    absl::StrAppend(&added, "process:", name, " ", Sha256Hex(*token), "\n");
    made.emplace_back(token_path, *std::move(token));
  }
  if (made.empty()) return absl::OkStatus();
  // The hashes first: a token file never exists without its hash on the server side.
  if (!table->empty() && table->back() != '\n') table->push_back('\n');
  if (absl::Status written = WritePrivateFile(table_path, *table + added); !written.ok()) {
    return written;
  }
  for (const auto& [path, token] : made) {
    if (absl::Status written = WritePrivateFile(path, token + "\n"); !written.ok()) return written;
  }
  return absl::OkStatus();
}

}  // namespace gridpilot::security
