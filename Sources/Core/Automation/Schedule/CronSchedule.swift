public import Foundation

/// When an automation on a schedule runs: a cron expression read on the wall clock of an IANA time zone
/// (a tenant in São Paulo means 9:00 in São Paulo).
///
/// When the clocks change, a job that names its hours (`30 2 * * *`) runs each of its times of day exactly
/// once: a time skipped (clocks forward) runs at the first minute after the jump; a time that comes twice
/// (clocks back) runs the first time only. A job whose hour field starts with `*` (`*/15 * * * *`)
/// follows the minutes as they pass: none in a skipped hour, and in both passes of a repeated one.
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    public let expression: CronExpression
    public let timeZone: TimeZone

    public init(_ expression: String, timeZone identifier: String = "UTC") throws(AutomationError) {
        // Foundation also reads offsets and abbreviations ("GMT+3", "EST"); a schedule names a zone, whose
        // rules follow the place.
        guard TimeZone.knownTimeZoneIdentifiers.contains(identifier) || identifier == "UTC",
              let zone = TimeZone(identifier: identifier)
        else {
            throw AutomationError(.unknownTimeZone, "\"\(identifier)\" is not a time zone of the IANA database (such as America/Sao_Paulo or UTC)")
        }
        let parsed = try CronExpression(expression)
        // The calendar repeats every 400 years: a date matched in none of them is matched never.
        let start = CivilTime(year: 2000, month: 12, day: 31, hour: 23, minute: 59)
        guard parsed.firstMatch(after: start, before: CivilTime(year: 2401, month: 1, day: 1, hour: 0, minute: 0)) != nil else {
            throw AutomationError(.neverFires, "no date matches \"\(expression)\"")
        }
        self.expression = parsed
        self.timeZone = zone
    }

    public var description: String { "\(expression) (\(timeZone.identifier))" }

    /// The first time after `instant` the schedule fires; nil if none in the next hundred years. Times are
    /// whole minutes.
    public func next(after instant: Date) -> Date? {
        let after = Int(instant.timeIntervalSince1970.rounded(.down))
        let offset = offset(at: after)
        let wallClock = CivilTime(minutesSinceEpoch: Int(GregorianCalendar.floorDivision(Int64(after + offset), 60).0))
        let limit = CivilTime(minutesSinceEpoch: wallClock.minutesSinceEpoch + 100 * 366 * 1_440)
        guard let match = expression.firstMatch(after: wallClock, before: limit) else { return nil }
        let fire = match.minutesSinceEpoch * 60 - offset
        // With no change of offset near, the wall clock maps to instants one to one.
        if let change = nextOffsetChange(after: after - Self.window), change <= fire + Self.window {
            return fireNearOffsetChange(after: after, wallClock: wallClock, limit: limit).map(Self.date)
        }
        return Self.date(fire)
    }

    /// Two days: more than any change of offset moves a wall clock, and less than the time between two changes.
    private static let window = 2 * 86_400

    /// Near a change of offset, wall-clock order is not time order: walks the wall-clock matches from as far
    /// before `after` as the clocks went back, until no later one can come sooner than the best found.
    private func fireNearOffsetChange(after: Int, wallClock: CivilTime, limit: CivilTime) -> Int? {
        let setBack = offset(at: after) - min(offset(at: after - Self.window), offset(at: after + Self.window))
        var cursor = CivilTime(minutesSinceEpoch: wallClock.minutesSinceEpoch - max(setBack, 0) / 60 - 1)
        var best: Int?, latestWallClock = Int.max  // past this wall-clock second, no match fires before `best`
        while let match = expression.firstMatch(after: cursor, before: limit) {
            let seconds = match.minutesSinceEpoch * 60
            if seconds >= latestWallClock { break }
            for fire in fires(at: seconds) where fire > after && fire < (best ?? .max) {
                best = fire
                latestWallClock = fire + max(offset(at: fire - Self.window), offset(at: fire + Self.window))
            }
            cursor = match
        }
        return best
    }

    /// The instants at which a matched wall-clock minute (`seconds` since the epoch, read as UTC) fires.
    private func fires(at seconds: Int) -> [Int] {
        let offsets = Set([offset(at: seconds - Self.window), offset(at: seconds + Self.window)])
        let instants = offsets.map { seconds - $0 }.filter { offset(at: $0) == seconds - $0 }.sorted()
        switch instants.count {
        case 0:  // skipped by clocks going forward: the first minute after the jump, for a time of day
            guard expression.namesHours, let newOffset = offsets.max() else { return [] }
            return nextOffsetChange(after: seconds - newOffset).map { [$0] } ?? []
        case 1:
            return instants
        default:  // passed twice as clocks go back
            return expression.namesHours ? [instants[0]] : instants
        }
    }

    private func offset(at seconds: Int) -> Int {
        timeZone.secondsFromGMT(for: Self.date(seconds))
    }

    private func nextOffsetChange(after seconds: Int) -> Int? {
        timeZone.nextDaylightSavingTimeTransition(after: Self.date(seconds)).map { Int($0.timeIntervalSince1970.rounded(.down)) }
    }

    private static func date(_ seconds: Int) -> Date { Date(timeIntervalSince1970: Double(seconds)) }
}
