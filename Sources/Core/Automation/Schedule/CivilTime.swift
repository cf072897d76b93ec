/// A wall-clock minute, with no time zone: what a cron expression matches.
struct CivilTime: Hashable, Sendable {
    var year: Int
    var month: Int  // 1...12
    var day: Int  // 1...31
    var hour: Int  // 0...23
    var minute: Int  // 0...59

    /// Minutes since 1970-01-01 00:00 on the same wall clock.
    var minutesSinceEpoch: Int {
        let days = Int(GregorianCalendar.days(year: Int64(year), month: Int64(month), day: Int64(day)))
        return (days * 24 + hour) * 60 + minute
    }

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int) {
        (self.year, self.month, self.day, self.hour, self.minute) = (year, month, day, hour, minute)
    }

    init(minutesSinceEpoch minutes: Int) {
        let (days, minuteOfDay) = GregorianCalendar.floorDivision(Int64(minutes), 1_440)
        let (year, month, day) = GregorianCalendar.civil(fromDays: days)
        (self.year, self.month, self.day) = (Int(year), Int(month), Int(day))
        (hour, minute) = (Int(minuteOfDay) / 60, Int(minuteOfDay) % 60)
    }

    /// 0 is Sunday, as in cron; 1970-01-01 was a Thursday.
    var weekday: Int {
        let days = GregorianCalendar.floorDivision(Int64(minutesSinceEpoch), 1_440).0
        return Int(GregorianCalendar.floorDivision(days + 4, 7).1)
    }
}
