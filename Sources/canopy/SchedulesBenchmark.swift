import Core
import Foundation

/// A daily schedule's next time from instants spread over a year in New York (clock changes included),
/// against Foundation's calendar finding the same next 09:00: what reading cron costs over asking the
/// calendar for one fixed time of day.
struct SchedulesBenchmark {
    let duration: Duration

    struct Result {
        var canopy: Double, foundation: Double, instants: Int
    }

    func run() throws -> Result {
        let zone = "America/New_York"
        let schedule = try CronSchedule("0 9 * * *", timeZone: zone)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = schedule.timeZone
        let nine = DateComponents(hour: 9, minute: 0, second: 0)
        // Every 53 minutes through 2026, so every time of day and both clock changes come up.
        let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        let instants = (0..<10_000).map { start.addingTimeInterval(Double($0) * 53 * 60) }

        let ours = instants.map { schedule.next(after: $0) }
        let theirs = instants.map { calendar.nextDate(after: $0, matching: nine, matchingPolicy: .nextTime) }
        guard ours == theirs else {
            let first = zip(ours, theirs).enumerated().first { $0.element.0 != $0.element.1 }
            throw BenchmarkFailure(description: "the schedule and the calendar disagree first at \(String(describing: first))")
        }
        var sink = 0.0
        let canopy = try Bench.rate(for: duration, instants.count) {
            for instant in instants { sink += schedule.next(after: instant)?.timeIntervalSince1970 ?? 0 }
        }
        let foundation = try Bench.rate(for: duration, instants.count) {
            for instant in instants { sink += calendar.nextDate(after: instant, matching: nine, matchingPolicy: .nextTime)?.timeIntervalSince1970 ?? 0 }
        }
        guard sink > 0 else { throw BenchmarkFailure(description: "no next time was computed") }
        return Result(canopy: canopy, foundation: foundation, instants: instants.count)
    }
}
