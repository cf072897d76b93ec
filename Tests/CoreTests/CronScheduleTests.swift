import CanopyTesting
import Core
import Foundation
import Testing

/// Schedules: cron expressions read as Vixie cron reads them, on the wall clock of an IANA time zone.
@Suite struct CronScheduleTests {
    static func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    static func text(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    /// The first `count` times `expression` fires after `start`, in UTC.
    func fires(_ expression: String, in zone: String = "UTC", after start: String, count: Int) throws -> [String] {
        let schedule = try CronSchedule(expression, timeZone: zone)
        var times: [String] = [], cursor = Self.instant(start)
        for _ in 0..<count {
            guard let next = schedule.next(after: cursor) else { break }
            times.append(Self.text(next))
            cursor = next
        }
        return times
    }

    func refusal(_ expression: String, in zone: String = "UTC") -> AutomationError? {
        caught { () throws(AutomationError) in _ = try CronSchedule(expression, timeZone: zone) }
    }

    @Test func listsRangesStepsAndNames() throws {
        #expect(try fires("*/15 * * * *", after: "2026-01-01T00:07:00Z", count: 4)
                == ["2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z", "2026-01-01T01:00:00Z"])
        #expect(try fires("5,10-12,50/5 9-17/4 * * *", after: "2026-01-01T00:00:00Z", count: 7)
                == ["2026-01-01T09:05:00Z", "2026-01-01T09:10:00Z", "2026-01-01T09:11:00Z", "2026-01-01T09:12:00Z",
                    "2026-01-01T09:50:00Z", "2026-01-01T09:55:00Z", "2026-01-01T13:05:00Z"])
        // 2026-11-27 is a Friday.
        #expect(try fires("0 8 * * MON-FRI", after: "2026-11-27T09:00:00Z", count: 2) == ["2026-11-30T08:00:00Z", "2026-12-01T08:00:00Z"])
        for sunday in ["0", "7", "SUN", "sun"] {
            #expect(try fires("0 0 * * \(sunday)", after: "2026-11-25T00:00:00Z", count: 1) == ["2026-11-29T00:00:00Z"], "\(sunday)")
        }
        #expect(try fires("0 0 1 feb,Jun *", after: "2026-03-01T00:00:00Z", count: 2) == ["2026-06-01T00:00:00Z", "2027-02-01T00:00:00Z"])
        #expect(try fires("0 0 29 2 *", after: "2026-11-25T00:00:00Z", count: 2) == ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"])
        #expect(try fires("0 0 31 * *", after: "2026-11-25T00:00:00Z", count: 3)
                == ["2026-12-31T00:00:00Z", "2027-01-31T00:00:00Z", "2027-03-31T00:00:00Z"], "months without a 31st are passed over")
    }

    @Test func dayOfMonthAndDayOfWeekAreEitherWhenBothAreNamed() throws {
        // Every Friday and every 13th.
        #expect(try fires("0 9 13 * 5", after: "2026-11-25T00:00:00Z", count: 5)
                == ["2026-11-27T09:00:00Z", "2026-12-04T09:00:00Z", "2026-12-11T09:00:00Z", "2026-12-13T09:00:00Z", "2026-12-18T09:00:00Z"])
        // A field starting with * makes it both: odd days that are Fridays.
        #expect(try fires("0 9 */2 * 5", after: "2026-11-25T00:00:00Z", count: 3)
                == ["2026-11-27T09:00:00Z", "2026-12-11T09:00:00Z", "2026-12-25T09:00:00Z"])
    }

    @Test func nicknames() throws {
        let after = "2026-11-25T10:20:00Z"
        #expect(try fires("@hourly", after: after, count: 1) == ["2026-11-25T11:00:00Z"])
        #expect(try fires("@daily", after: after, count: 1) == ["2026-11-26T00:00:00Z"])
        #expect(try fires("@midnight", after: after, count: 1) == ["2026-11-26T00:00:00Z"])
        #expect(try fires("@weekly", after: after, count: 1) == ["2026-11-29T00:00:00Z"])
        #expect(try fires("@monthly", after: after, count: 1) == ["2026-12-01T00:00:00Z"])
        #expect(try fires("@yearly", after: after, count: 1) == ["2027-01-01T00:00:00Z"])
        #expect(try fires("@annually", after: after, count: 1) == ["2027-01-01T00:00:00Z"])
    }

    @Test func badExpressionsAreRefusedNamingTheField() {
        let refused: [(String, String?)] = [
            ("", nil), ("* * * *", nil), ("* * * * * *", nil), ("@reboot", nil), (String(repeating: "1,", count: 200) + "1 * * * *", nil),
            ("60 * * * *", "minute"), ("-1 * * * *", "minute"), ("+5 * * * *", "minute"), ("*/0 * * * *", "minute"), ("5-1 * * * *", "minute"),
            ("a * * * *", "minute"), ("1,,2 * * * *", "minute"), ("1-2-3 * * * *", "minute"), ("*/5/2 * * * *", "minute"), ("５ * * * *", "minute"),
            ("* 24 * * *", "hour"), ("* * 0 * *", "day_of_month"), ("* * 32 * *", "day_of_month"),
            ("* * * 13 *", "month"), ("* * * FOO *", "month"), ("* * * * 8", "day_of_week"), ("* * * * MON-FOO", "day_of_week"),
        ]
        for (expression, field) in refused {
            let error = refusal(expression)
            #expect(error?.code == .invalidExpression, "\(expression)")
            #expect(error?.location == field, "\(expression): \(String(describing: error))")
        }
        #expect(refusal("* * * * * *")?.message.contains("seconds are not supported") == true)
        #expect(refusal("60 * * * *")?.message == #"minute "60": "60" is not a value from 0 to 59"#)
    }

    @Test func anExpressionNoDateMatchesIsRefused() {
        #expect(refusal("0 0 30 2 *")?.code == .neverFires)
        #expect(refusal("0 0 31 4,6,9,11 *")?.code == .neverFires)
        #expect(refusal("0 0 31 4,5 *") == nil)
        #expect(refusal("0 0 29 2 1") == nil, "Feb 29th or any Monday")
        #expect(refusal("0 0 29 2 */7") == nil, "Feb 29th that is a Sunday: 2032")
    }

    @Test func aTimeZoneIsOneOfTheDatabase() throws {
        #expect(refusal("* * * * *", in: "Mars/Olympus")?.code == .unknownTimeZone)
        #expect(refusal("* * * * *", in: "GMT+3")?.code == .unknownTimeZone)
        #expect(refusal("* * * * *", in: "")?.code == .unknownTimeZone)
        // São Paulo has kept −03:00 all year since 2019.
        #expect(try fires("0 9 * * *", in: "America/Sao_Paulo", after: "2026-11-25T00:00:00Z", count: 2)
                == ["2026-11-25T12:00:00Z", "2026-11-26T12:00:00Z"])
        #expect(try fires("0 9 * * *", in: "Asia/Kathmandu", after: "2026-11-25T00:00:00Z", count: 1) == ["2026-11-25T03:15:00Z"])
    }

    @Test func whenClocksGoForwardATimeOfDayRunsAfterTheJump() throws {
        // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z).
        #expect(try fires("30 2 * * *", in: "America/New_York", after: "2026-03-07T12:00:00Z", count: 2)
                == ["2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"])
        // Minutes that pass: none in the skipped hour.
        #expect(try fires("*/30 * * * *", in: "America/New_York", after: "2026-03-08T06:00:00Z", count: 3)
                == ["2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z"])
    }

    @Test func whenClocksGoBackATimeOfDayRunsOnce() throws {
        // New York, 2026-11-01: 02:00 EDT becomes 01:00 EST (06:00Z); 01:00–01:59 comes twice.
        #expect(try fires("30 1 * * *", in: "America/New_York", after: "2026-10-31T12:00:00Z", count: 2)
                == ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"])
        #expect(try fires("*/30 * * * *", in: "America/New_York", after: "2026-11-01T04:45:00Z", count: 5)
                == ["2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z", "2026-11-01T07:00:00Z"])
    }

    /// Against a reference that walks every minute of real time and reads the wall clock through
    /// Foundation's calendar, around clock changes in zones that make them in different ways.
    @Test(arguments: [
        ("UTC", "2026-11-25T00:00:00Z"),
        ("America/New_York", "2026-03-07T00:00:00Z"), ("America/New_York", "2026-10-31T00:00:00Z"),
        ("America/Sao_Paulo", "2018-11-03T00:00:00Z"),  // forward at midnight: 00:00 never happened on Nov 4
        ("America/Sao_Paulo", "2019-02-15T00:00:00Z"),
        ("Europe/London", "2026-03-28T00:00:00Z"), ("Europe/London", "2026-10-24T00:00:00Z"),
        ("Australia/Lord_Howe", "2026-04-03T00:00:00Z"), ("Australia/Lord_Howe", "2026-10-02T00:00:00Z"),  // half-hour changes
        ("Asia/Kathmandu", "2026-06-01T00:00:00Z"),
        ("Pacific/Apia", "2011-12-28T00:00:00Z"),  // December 30th, 2011 never happened there
    ])
    func agreesWithAMinuteByMinuteWalk(zone: String, start: String) async throws {
        var generator = SeededGenerator(seed: zone.utf8.reduce(UInt64(start.count)) { $0 &* 31 &+ UInt64($1) })
        let expressions = ["*/15 * * * *", "30 2 * * *", "0 0 * * *", "0,30 1-3 * * *", "45 */2 * * *", "15 0-2 * * 0,6", "*/7 2 * * *",
                           "0 12 * * *", "59 23 * * *", "30 0 30 12 *"] + (0..<4).map { _ in RandomCron.make(&generator) }
        let from = Int(Self.instant(start).timeIntervalSince1970), days = 4
        let timeline = Timeline(timeZone: TimeZone(identifier: zone)!, from: from, through: from + days * 86_400)
        for expression in expressions {
            await Task.yield()  // CPU-bound: let the other suites' tasks have the cooperative threads in turn
            let schedule = try CronSchedule(expression, timeZone: zone)
            let expected = WallClockWalk(expression: expression).fires(over: timeline)
            var actual: [Int] = [], cursor = from
            while let next = schedule.next(after: Date(timeIntervalSince1970: Double(cursor))).map({ Int($0.timeIntervalSince1970) }),
                  next <= from + days * 86_400 {
                actual.append(next)
                cursor = next
            }
            #expect(actual == expected, "\(expression) in \(zone): \(actual.map { Self.text(Date(timeIntervalSince1970: Double($0))) }) against \(expected.map { Self.text(Date(timeIntervalSince1970: Double($0))) })")
        }
    }
}

/// Every minute of real time over a window, with the wall-clock minute a zone shows then; the wall clock's
/// dates read by Foundation's calendar. Made once a zone, for every expression walked over it.
private struct Timeline {
    struct Day { var month: Int, day: Int, weekday: Int }
    let from: Int
    /// (instant, wall-clock minute), one a real minute, from two days before `from`, so that the first pass
    /// of any repeated hour is seen.
    let minutes: [(instant: Int, wallClock: Int)]
    let days: [Int: Day]

    init(timeZone: TimeZone, from: Int, through: Int) {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        self.from = from
        minutes = stride(from: (from / 60 - 2 * 1_440) * 60, through: through, by: 60).map {
            ($0, ($0 + timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double($0)))) / 60)
        }
        var days: [Int: Day] = [:]
        // Every day from the first wall-clock day to the last, including any the clocks jumped over.
        for day in minutes[0].wallClock / 1_440...minutes[minutes.count - 1].wallClock / 1_440 {
            let parts = utc.dateComponents([.month, .day, .weekday], from: Date(timeIntervalSince1970: Double(day * 86_400)))
            days[day] = Day(month: parts.month!, day: parts.day!, weekday: parts.weekday! - 1)
        }
        self.days = days
    }
}

/// The reference: walks a timeline minute by minute, with the expression's fields expanded here by a
/// reading of their own.
private struct WallClockWalk {
    let minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    let either: Bool, namesHours: Bool

    init(expression: String) {
        let fields = expression.split(separator: " ").map(String.init)
        func expand(_ text: String, _ range: ClosedRange<Int>) -> Set<Int> {
            var values = Set<Int>()
            for item in text.split(separator: ",") {
                let parts = item.split(separator: "/")
                let step = parts.count > 1 ? Int(parts[1])! : 1
                let bounds: ClosedRange<Int> = if parts[0] == "*" { range } else if parts[0].contains("-") {
                    Int(parts[0].split(separator: "-")[0])!...Int(parts[0].split(separator: "-")[1])!
                } else { Int(parts[0])!...(parts.count > 1 ? range.upperBound : Int(parts[0])!) }
                values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
            }
            return values
        }
        minutes = expand(fields[0], 0...59)
        hours = expand(fields[1], 0...23)
        days = expand(fields[2], 1...31)
        months = expand(fields[3], 1...12)
        weekdays = Set(expand(fields[4], 0...6).map { $0 % 7 })
        either = !fields[2].hasPrefix("*") && !fields[4].hasPrefix("*")
        namesHours = !fields[1].hasPrefix("*")
    }

    func matches(_ wallClock: Int, _ timeline: Timeline) -> Bool {
        guard let date = timeline.days[wallClock / 1_440] else { return false }
        let day = days.contains(date.day), weekday = weekdays.contains(date.weekday)
        return months.contains(date.month) && (either ? day || weekday : day && weekday)
            && hours.contains(wallClock / 60 % 24) && minutes.contains(wallClock % 60)
    }

    /// Firing instants after the timeline's start, in seconds.
    func fires(over timeline: Timeline) -> [Int] {
        var fired: [Int] = [], seen = Set<Int>()
        var previous: Int?  // the wall-clock minute one real minute ago
        for (instant, wallClock) in timeline.minutes {
            var fires = matches(wallClock, timeline) && (!namesHours || !seen.contains(wallClock))
            if let previous, wallClock > previous + 1, namesHours {  // minutes the clock jumped over
                fires = fires || (previous + 1..<wallClock).contains { matches($0, timeline) }
            }
            if fires, instant > timeline.from { fired.append(instant) }
            seen.insert(wallClock)
            previous = wallClock
        }
        return fired
    }
}

/// Cron expressions built from random parts of every kind the parser reads.
private enum RandomCron {
    static func make(_ generator: inout SeededGenerator) -> String {
        func field(_ range: ClosedRange<Int>, star: Bool) -> String {
            switch Int.random(in: 0..<(star ? 5 : 4), using: &generator) {
            case 0: return "\(Int.random(in: range, using: &generator))"
            case 1:
                let low = Int.random(in: range, using: &generator)
                return "\(low)-\(Int.random(in: low...range.upperBound, using: &generator))"
            case 2: return "*/\(Int.random(in: 2...5, using: &generator))"
            case 3: return (0..<3).map { _ in "\(Int.random(in: range, using: &generator))" }.joined(separator: ",")
            default: return "*"
            }
        }
        return [field(0...59, star: false), field(0...23, star: true), field(1...31, star: true), "*", field(0...6, star: true)].joined(separator: " ")
    }
}

/// Random text from cron's alphabet: each is refused with a typed error or makes a schedule whose next
/// time comes after the time asked from.
@Suite struct CronFuzzTests {
    @Test func randomExpressionsAreRefusedOrFireLater() async {
        var generator = SeededGenerator(seed: 5_2026)
        // Whole fields: valid in every position, or in some, or in none; sometimes two joined by a list,
        // range or step mark into something that may not be.
        let valid = ["*", "*/5", "1-5", "5", "7", "12", "1,2"]
        let tricky = ["0", "23", "31", "59", "60", "MON-FRI", "jan", "Sun", "5-1", "*/0", "x", "", "@daily", "99999999999999999999"]
        let after = CronScheduleTests.instant("2026-11-25T10:20:30Z")
        var (refused, parsed) = (0, 0)
        for index in 0..<5_000 {
            if index % 250 == 0 { await Task.yield() }
            let count = [5, 5, 5, 5, 5, 4, 6, 1][generator.next(8)]
            let text = (0..<count).map { _ in
                func pick() -> String { generator.next(4) > 0 ? valid[generator.next(valid.count)] : tricky[generator.next(tricky.count)] }
                let field = pick()
                return generator.next(5) > 0 ? field : field + [",", "-", "/"][generator.next(3)] + pick()
            }.joined(separator: " ")
            do {
                let schedule = try CronSchedule(text, timeZone: ["UTC", "America/New_York", "Asia/Kathmandu"][generator.next(3)])
                parsed += 1
                if let next = schedule.next(after: after) { #expect(next > after, "\(text)") }
            } catch {
                #expect(!error.message.isEmpty, "\(text)")
                refused += 1
            }
        }
        #expect(refused > 100 && parsed > 100, "refused \(refused), parsed \(parsed)")
    }
}
