#include "services/security/token_table.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/security/private_file.h"
#include "services/security/roles.h"

namespace gridpilot::security {

std::string Sha256Hex(absl::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

absl::StatusOr<std::string> NewBearerToken() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return absl::InternalError("OpenSSL RAND_bytes failed to make a token");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

absl::StatusOr<TokenTable> TokenTable::Parse(absl::string_view content, absl::string_view source) {
  TokenTable table;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    const std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (fields.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", line_number, ": expected \"<role> <sha256 hex>\""));
    }
    constexpr absl::string_view kProcessPrefix = "process:";
    Caller caller;
    if (absl::StartsWith(fields[0], kProcessPrefix)) {
      const absl::string_view identity = fields[0].substr(kProcessPrefix.size());
      const std::optional<std::string> role = RoleOfProcess(identity);
      if (!role.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ":", line_number, ": unknown process \"", identity, "\""));
      }
      caller = Caller{std::string(identity), *role, /*is_process=*/true};
    } else if (IsPersonRole(fields[0])) {
      caller = Caller{std::string(fields[0]), std::string(fields[0])};
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", line_number, ": unknown role \"", fields[0], "\""));
    }
    const bool hex =
        fields[1].size() == 64 && std::all_of(fields[1].begin(), fields[1].end(), [](char c) {
          return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
        });
    if (!hex) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", line_number, ": hash is not 64 lowercase hex digits"));
    }
    table.caller_by_hash_[std::string(fields[1])] = std::move(caller);
  }
  return table;
}

absl::StatusOr<TokenTable> TokenTable::Load(const std::string& path) {
  absl::StatusOr<std::string> content = ReadPrivateFile(path);
  if (!content.ok()) return content.status();
  return Parse(*content, path);
}

std::optional<std::string> TokenTable::RoleOf(absl::string_view token) const {
  std::optional<Caller> caller = CallerOf(token);
  if (!caller.has_value()) return std::nullopt;
  return std::move(caller->role);
}

std::optional<Caller> TokenTable::CallerOf(absl::string_view token) const {
  const auto found = caller_by_hash_.find(Sha256Hex(token));
  if (found == caller_by_hash_.end()) return std::nullopt;
  return found->second;
}

}  // namespace gridpilot::security
