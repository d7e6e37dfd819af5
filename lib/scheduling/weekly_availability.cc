#include "scheduling/weekly_availability.h"

#include <algorithm>
#include <utility>

namespace th::scheduling {
namespace {

using MinuteSpan = std::pair<int, int>;  // [first, second) minutes after local midnight

Status validate_span(int start_minute, int end_minute) {
  if (start_minute < 0 || end_minute > 1440 || end_minute <= start_minute) {
    return Error(ErrorCode::kInvalidArgument,
                 "a time range must end after it starts, within 00:00 to 24:00");
  }
  if (start_minute % kMinuteGranularity != 0 || end_minute % kMinuteGranularity != 0) {
    return Error(ErrorCode::kInvalidArgument, "times must be on a five-minute boundary");
  }
  return ok_status();
}

std::vector<MinuteSpan> merge_spans(std::vector<MinuteSpan> spans) {
  std::ranges::sort(spans);
  std::vector<MinuteSpan> merged;
  for (const MinuteSpan& span : spans) {
    if (!merged.empty() && span.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, span.second);
    } else {
      merged.push_back(span);
    }
  }
  return merged;
}

// `open` less `removed`; both merged and sorted.
std::vector<MinuteSpan> subtract_spans(const std::vector<MinuteSpan>& open,
                                       const std::vector<MinuteSpan>& removed) {
  std::vector<MinuteSpan> left;
  for (MinuteSpan span : open) {
    for (const MinuteSpan& cut : removed) {
      if (cut.second <= span.first || cut.first >= span.second) {
        continue;
      }
      if (cut.first > span.first) {
        left.emplace_back(span.first, cut.first);
      }
      span.first = std::max(span.first, cut.second);
      if (span.first >= span.second) {
        break;
      }
    }
    if (span.first < span.second) {
      left.push_back(span);
    }
  }
  return left;
}

// One local date's open spans: its weekday's rules and extra hours, less
// its time off.
std::vector<MinuteSpan> open_spans(const std::vector<WeeklyRule>& rules,
                                   const std::vector<AvailabilityException>& exceptions,
                                   const LocalDate& date) {
  std::vector<MinuteSpan> open;
  std::vector<MinuteSpan> off;
  const int weekday = iso_weekday(date);
  for (const WeeklyRule& rule : rules) {
    if (rule.weekday == weekday) {
      open.emplace_back(rule.start_minute, rule.end_minute);
    }
  }
  for (const AvailabilityException& exception : exceptions) {
    if (exception.date != date) {
      continue;
    }
    auto& target = exception.kind == ExceptionKind::kExtraHours ? open : off;
    target.emplace_back(exception.start_minute, exception.end_minute);
  }
  return subtract_spans(merge_spans(std::move(open)), merge_spans(std::move(off)));
}

}  // namespace

std::string_view exception_kind_name(ExceptionKind kind) {
  return kind == ExceptionKind::kExtraHours ? "extra_hours" : "time_off";
}

Result<ExceptionKind> parse_exception_kind(std::string_view name) {
  if (name == "time_off") {
    return ExceptionKind::kTimeOff;
  }
  if (name == "extra_hours") {
    return ExceptionKind::kExtraHours;
  }
  return Error(ErrorCode::kInvalidArgument, "kind must be time_off or extra_hours");
}

Status validate_rule(const WeeklyRule& rule) {
  if (rule.weekday < 1 || rule.weekday > 7) {
    return Error(ErrorCode::kInvalidArgument, "weekday must be 1 (Monday) to 7 (Sunday)");
  }
  return validate_span(rule.start_minute, rule.end_minute);
}

Status validate_exception(const AvailabilityException& exception) {
  return validate_span(exception.start_minute, exception.end_minute);
}

std::vector<TimeWindow> availability_windows(const std::vector<WeeklyRule>& rules,
                                             const std::vector<AvailabilityException>& exceptions,
                                             const TimeZone& zone, const LocalDate& first,
                                             const LocalDate& last) {
  std::vector<TimeWindow> windows;
  for (LocalDate date = first; date <= last; date = add_days(date, 1)) {
    for (const MinuteSpan& span : open_spans(rules, exceptions, date)) {
      windows.push_back(TimeWindow{zone.to_utc(date, span.first), zone.to_utc(date, span.second)});
    }
  }
  return windows;
}

}  // namespace th::scheduling
