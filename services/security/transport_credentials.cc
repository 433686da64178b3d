#include "services/security/transport_credentials.h"

#include <filesystem>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/security/private_file.h"
#include "services/security/roles.h"
#include "services/security/rpc_authorizer.h"
#include "services/security/token_table.h"

namespace gridpilot::security {
namespace {

struct TransportIdentity {
  std::string ca_pem;
  // A process identity: its certificate and key, and the token table its servers check.
  std::string cert_pem;
  std::string key_pem;
  // What it presents instead of its certificate over a Unix socket.
  std::string process_token;
  std::optional<TokenTable> tokens;
  // A token-bearing client instead.
  std::string bearer_token;
};

// Written once at start (Install*), before any thread reads it.
TransportIdentity* installed = nullptr;

std::string Path(const std::string& dir, const std::string& name) {
  return absl::StrCat(dir, "/", name);
}

}  // namespace

absl::Status InstallProcessIdentity(const std::string& dir, const std::string& identity) {
  if (!RoleOfProcess(identity).has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", identity, "\" is not a gridpilot process"));
  }
  auto loaded = std::make_unique<TransportIdentity>();
  absl::StatusOr<std::string> ca = ReadPublicFile(Path(dir, "ca.pem"));
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> cert = ReadPublicFile(Path(dir, identity + ".pem"));
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPrivateFile(Path(dir, identity + ".key"));
  if (!key.ok()) return key.status();
  const std::string token_path = Path(dir, identity + ".process-token");
  absl::StatusOr<std::string> token = ReadPrivateFile(token_path);
  if (!token.ok()) return token.status();
  absl::StatusOr<TokenTable> tokens = TokenTable::Load(Path(dir, "tokens.sha256"));
  if (!tokens.ok()) return tokens.status();
  loaded->process_token = std::string(absl::StripAsciiWhitespace(*token));
  if (loaded->process_token.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(token_path, ": empty"));
  }
  loaded->ca_pem = *std::move(ca);
  loaded->cert_pem = *std::move(cert);
  loaded->key_pem = *std::move(key);
  loaded->tokens = *std::move(tokens);
  installed = loaded.release();
  return absl::OkStatus();
}

absl::Status InstallClientToken(const std::string& dir, const std::string& role) {
  if (!IsPersonRole(role)) {
    return absl::InvalidArgumentError(absl::StrCat("\"", role, "\" is not a role"));
  }
  auto loaded = std::make_unique<TransportIdentity>();
  absl::StatusOr<std::string> ca = ReadPublicFile(Path(dir, "ca.pem"));
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> token = ReadPrivateFile(Path(dir, role + ".token"));
  if (!token.ok()) return token.status();
  loaded->ca_pem = *std::move(ca);
  loaded->bearer_token = std::string(absl::StripAsciiWhitespace(*token));
  if (loaded->bearer_token.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(Path(dir, role + ".token"), ": empty"));
  }
  installed = loaded.release();
  return absl::OkStatus();
}

bool TransportSecured() { return installed != nullptr; }

const TokenTable* InstalledTokenTable() {
  if (installed == nullptr || !installed->tokens.has_value()) return nullptr;
  return &*installed->tokens;
}

std::shared_ptr<grpc::ServerCredentials> ServerTransportCredentials() {
  if (installed == nullptr || !installed->tokens.has_value()) {
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions options(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = installed->ca_pem;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  pair.private_key = installed->key_pem;
  pair.cert_chain = installed->cert_pem;
  options.pem_key_cert_pairs.push_back(pair);
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::SslServerCredentials(options);
  credentials->SetAuthMetadataProcessor(std::make_shared<RpcAuthorizer>(*installed->tokens));
  return credentials;
}

std::shared_ptr<grpc::ServerCredentials> UnixSocketServerCredentials() {
  if (installed == nullptr || !installed->tokens.has_value()) {
    return grpc::InsecureServerCredentials();
  }
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::experimental::LocalServerCredentials(UDS);
  credentials->SetAuthMetadataProcessor(std::make_shared<RpcAuthorizer>(*installed->tokens));
  return credentials;
}

bool IsUnixSocketAddress(const std::string& address) { return absl::StartsWith(address, "unix:"); }

std::shared_ptr<grpc::ChannelCredentials> ChannelTransportCredentials(const std::string& address) {
  if (installed == nullptr) return grpc::InsecureChannelCredentials();
  if (IsUnixSocketAddress(address)) {
    const std::string& token =
        installed->bearer_token.empty() ? installed->process_token : installed->bearer_token;
    return grpc::CompositeChannelCredentials(grpc::experimental::LocalCredentials(UDS),
                                             grpc::AccessTokenCredentials(token));
  }
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = installed->ca_pem;
  if (installed->bearer_token.empty()) {
    options.pem_private_key = installed->key_pem;
    options.pem_cert_chain = installed->cert_pem;
    return grpc::SslCredentials(options);
  }
  return grpc::CompositeChannelCredentials(grpc::SslCredentials(options),
                                           grpc::AccessTokenCredentials(installed->bearer_token));
}

std::string ResolveCredentialsDir(const std::string& flag_dir, const std::string& run_dir) {
  if (!flag_dir.empty()) return flag_dir;
  if (run_dir.empty()) return "";
  const std::string dir = Path(run_dir, "credentials");
  std::error_code error;
  return std::filesystem::exists(Path(dir, "ca.pem"), error) ? dir : "";
}

}  // namespace gridpilot::security
