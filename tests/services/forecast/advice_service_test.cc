// AdviceService over a real gRPC server on a free loopback port, called as a client would.
#include "services/forecast/advice_service.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"

namespace gridpilot {
namespace {

const absl::Time kDay0 = absl::FromCivil(absl::CivilDay(2023, 1, 2), absl::UTCTimeZone());
constexpr absl::Duration kHalfHour = absl::Minutes(30);

class AdviceServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<RunningServer> server = StartGrpcServer("127.0.0.1", 0, {&service_}, "");
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::AdviceService::NewStub(MakeChannel(absl::StrCat("127.0.0.1:", server_.port)));
  }
  void TearDown() override { ShutdownServer(server_.server.get()); }

  grpc::Status Advise(const v1::AdviseRequest& request, v1::AdviseResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    return stub_->Advise(&context, request, response);
  }

  void Fill(int days) {
    for (int k = 0; k < days * 48; ++k) {
      const bool evening = k % 48 >= 34 && k % 48 < 38;
      data::GridMeasurement m;
      m.interval_start = kDay0 + kHalfHour * k;
      m.net_load_mw = evening ? 30000.0 : 20000.0;
      m.price_gbp_per_mwh = evening ? 150.0 : 50.0;
      ASSERT_TRUE(book_.Ingest(m).ok());
    }
  }

  AdviceBook book_;
  AdviceServiceImpl service_;
  RunningServer server_;
  std::unique_ptr<v1::AdviceService::Stub> stub_;
};

TEST_F(AdviceServiceTest, UnavailableUntilTheBookIsSet) {
  v1::AdviseResponse response;
  EXPECT_EQ(Advise({}, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(AdviceServiceTest, ServesTomorrowsAdviceWithTheBattery) {
  Fill(30);
  service_.SetBook(&book_);
  v1::AdviseRequest request;
  request.set_flexible_share(0.1);
  request.set_peak_limit_mw(28000);
  request.set_battery_capacity_mwh(100);
  request.set_battery_power_mw(50);
  request.set_battery_round_trip_efficiency(1.0);
  v1::AdviseResponse response;
  const grpc::Status status = Advise(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(FromProtoTime(response.day()), kDay0 + absl::Hours(24 * 30));
  EXPECT_EQ(response.advice(), "move 4000 MWh of flexible load from 17:00-19:00 to 00:00-00:30");
  EXPECT_DOUBLE_EQ(response.peak_limit_mw(), 28000);
  EXPECT_DOUBLE_EQ(response.forecast_peak_mw(), 30000);
  EXPECT_NEAR(response.forecast_peak_after_mw(), 28000, 1e-6);
  EXPECT_NEAR(response.forecast_saved_gbp(), 4000 * (150 - 50), 1e-3);
  ASSERT_EQ(response.move_from_size(), 1);
  EXPECT_EQ(response.move_from(0).text(), "17:00-19:00");
  EXPECT_NEAR(response.move_from(0).energy_mwh(), 4000, 1e-6);
  EXPECT_TRUE(response.has_battery());
  // 100 MWh bought at £50 and used at £150.
  EXPECT_NEAR(response.battery_forecast_return_gbp(), 100 * (150 - 50), 1e-3);
  ASSERT_EQ(response.intervals_size(), 48);
  EXPECT_DOUBLE_EQ(response.intervals(34).forecast_load_mw(), 30000);
  EXPECT_NEAR(response.intervals(34).move_out_mw(), 2000, 1e-6);
}

TEST_F(AdviceServiceTest, RejectsBadOptions) {
  Fill(30);
  service_.SetBook(&book_);
  v1::AdviseRequest request;
  request.set_flexible_share(1.5);
  v1::AdviseResponse response;
  const grpc::Status status = Advise(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("flexible_share"), std::string::npos);
}

}  // namespace
}  // namespace gridpilot
