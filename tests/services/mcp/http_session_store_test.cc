// The Streamable HTTP transport's pure parts: which Origins may call, and the bounded
// session store.
#include "services/mcp/http_session_store.h"

#include <gtest/gtest.h>

#include "services/mcp/http_transport.h"

namespace gridpilot::mcp {
namespace {

TEST(IsAllowedOriginTest, LoopbackAndListedOriginsOnly) {
  const std::vector<std::string> allowed = {"https://ops.example"};
  for (const char* ok : {"", "http://localhost", "http://localhost:3000", "https://127.0.0.1:8443",
                         "http://[::1]:80", "https://ops.example"}) {
    EXPECT_TRUE(IsAllowedOrigin(ok, allowed)) << ok;
  }
  for (const char* bad :
       {"http://evil.example", "https://localhost.evil.example", "http://localhost:80x",
        "http://localhost:", "http://127.0.0.1.nip.io", "null", "https://ops.example.evil",
        "http://localhost@evil.example", "http://localhost:123456", "ftp://localhost"}) {
    EXPECT_FALSE(IsAllowedOrigin(bad, allowed)) << bad;
  }
}

TEST(HttpSessionStoreTest, BoundedLeastRecentlyUsedFirstAndClosedOnEviction) {
  HttpSessionStore store(2);
  const McpCaller caller{"operator", "token", ""};
  std::shared_ptr<HttpSession> first = store.Open(caller, "hash");
  std::shared_ptr<HttpSession> second = store.Open(caller, "hash");
  EXPECT_NE(first->id, second->id);
  EXPECT_EQ(first->mcp->caller().session_id, first->id);
  absl::SleepFor(absl::Milliseconds(2));
  ASSERT_NE(store.Find(first->id), nullptr);  // first is now the more recently used
  std::shared_ptr<HttpSession> third = store.Open(caller, "hash");
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.Find(second->id), nullptr);
  {
    absl::MutexLock lock(&second->mutex);
    EXPECT_TRUE(second->closed);
  }
  EXPECT_TRUE(store.Close(third->id));
  EXPECT_FALSE(store.Close(third->id));
  EXPECT_EQ(store.Find(third->id), nullptr);
}

TEST(HttpSessionStoreTest, NotificationsQueueOnlyWhileAStreamIsOpenAndStayBounded) {
  HttpSessionStore store(4);
  std::shared_ptr<HttpSession> session = store.Open(McpCaller{"viewer", "t", ""}, "h");
  session->mcp->Send(nlohmann::json{{"n", 0}});
  {
    absl::MutexLock lock(&session->mutex);
    EXPECT_TRUE(session->queue.empty());
    session->stream_open = true;
  }
  for (size_t i = 0; i < kMaxQueuedNotifications + 5; ++i) {
    session->mcp->Send(nlohmann::json{{"n", i}});
  }
  absl::MutexLock lock(&session->mutex);
  EXPECT_EQ(session->queue.size(), kMaxQueuedNotifications);
  EXPECT_EQ(nlohmann::json::parse(session->queue.front())["n"], 5);
}

}  // namespace
}  // namespace gridpilot::mcp
