// The waiting room's order (urgent first, then appointment time, then
// check-in time) and its estimated waits.

#include "scheduling/waiting_queue.h"

#include <gtest/gtest.h>

#include "scheduling/time_zone.h"

namespace th::scheduling {
namespace {

constexpr UnixMicros kNine = 1'800'000'000'000'000;
constexpr UnixMicros kMinute = kMicrosPerMinute;

Appointment waiting(std::string id, UnixMicros starts_at, UnixMicros checked_in_at,
                    int minutes = 20, bool urgent = false) {
  Appointment appointment;
  appointment.id = std::move(id);
  appointment.status = AppointmentStatus::kCheckedIn;
  appointment.starts_at = starts_at;
  appointment.ends_at = starts_at + minutes * kMinute;
  appointment.checked_in_at = checked_in_at;
  appointment.urgent = urgent;
  return appointment;
}

std::vector<std::string> order(const std::vector<QueuePlace>& places) {
  std::vector<std::string> ids;
  for (const QueuePlace& place : places) {
    ids.push_back(place.appointment.id);
  }
  return ids;
}

TEST(WaitingQueueTest, OrdersByAppointmentTimeThenCheckInTime) {
  const auto places = build_queue({waiting("late-slot", kNine + 20 * kMinute, kNine - 30 * kMinute),
                                   waiting("second-in", kNine, kNine - 5 * kMinute),
                                   waiting("first-in", kNine, kNine - 10 * kMinute)},
                                  std::nullopt, kNine - kMinute);

  EXPECT_EQ(order(places), (std::vector<std::string>{"first-in", "second-in", "late-slot"}));
  EXPECT_EQ(places[0].position, 1);
  EXPECT_EQ(places[2].position, 3);
}

TEST(WaitingQueueTest, UrgentPatientsGoFirst) {
  const auto places =
      build_queue({waiting("routine", kNine, kNine - 10 * kMinute),
                   waiting("urgent", kNine + 40 * kMinute, kNine - kMinute, 20, true)},
                  std::nullopt, kNine);

  EXPECT_EQ(order(places), (std::vector<std::string>{"urgent", "routine"}));
}

TEST(WaitingQueueTest, EstimatesWaitBehindTheVisitInProgressAndThoseAhead) {
  Appointment current = waiting("current", kNine - 20 * kMinute, kNine - 25 * kMinute, 30);
  current.status = AppointmentStatus::kInProgress;
  current.started_at = kNine - 20 * kMinute;  // 30-minute visit: free at 09:10

  const auto places = build_queue({waiting("a", kNine, kNine - 5 * kMinute, 20),
                                   waiting("b", kNine + 20 * kMinute, kNine - 4 * kMinute, 20)},
                                  current, kNine);

  EXPECT_EQ(places[0].estimated_wait_seconds, 10 * 60);  // from 09:10
  EXPECT_EQ(places[1].estimated_wait_seconds, 30 * 60);  // after a, at 09:30
}

TEST(WaitingQueueTest, EarlyArrivalWaitsForTheirBookedStart) {
  const auto places =
      build_queue({waiting("early", kNine + 15 * kMinute, kNine)}, std::nullopt, kNine);

  EXPECT_EQ(places[0].estimated_wait_seconds, 15 * 60);
}

TEST(WaitingQueueTest, OverrunningVisitMeansTheNextIsDueNow) {
  Appointment current = waiting("current", kNine - 60 * kMinute, kNine - 60 * kMinute, 20);
  current.status = AppointmentStatus::kInProgress;
  current.started_at = kNine - 60 * kMinute;

  const auto places =
      build_queue({waiting("a", kNine - 30 * kMinute, kNine - 40 * kMinute)}, current, kNine);

  EXPECT_EQ(places[0].estimated_wait_seconds, 0);
}

}  // namespace
}  // namespace th::scheduling
