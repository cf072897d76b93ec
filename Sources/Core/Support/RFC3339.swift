public import Foundation

/// RFC 3339 times: written in UTC with milliseconds (`2026-11-23T04:27:14.123Z`), read with any offset and
/// any number of fraction digits (milliseconds kept).
///
/// By hand, on UTF-8 bytes, in the proleptic Gregorian calendar. Foundation's ISO 8601 style cost a third
/// of decoding an event with times (a gateway's start decodes every identity event), and it is lenient where
/// a time must be refused: it reads `2026-02-30` as March 2nd, `24:00` as the next day, a one-digit month.
/// Milliseconds are an integer throughout: a binary fraction would print ….123 as ….122.
public enum RFC3339 {
    public static func string(from date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, millisecond) = GregorianCalendar.floorDivision(millis, 1000)
        let (days, secondOfDay) = GregorianCalendar.floorDivision(seconds, 86_400)
        let (year, month, day) = GregorianCalendar.civil(fromDays: days)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func put(_ value: Int64, digits: Int, after separator: Unicode.Scalar? = nil) {
            if let separator { bytes.append(UInt8(ascii: separator)) }
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(0x30 + value / divisor % 10))
                divisor /= 10
            }
        }
        // Beyond RFC 3339's four digits, the year as it is.
        if (0...9999).contains(year) { put(year, digits: 4) } else { bytes += Array(String(year).utf8) }
        put(month, digits: 2, after: "-")
        put(day, digits: 2, after: "-")
        put(secondOfDay / 3600, digits: 2, after: "T")
        put(secondOfDay / 60 % 60, digits: 2, after: ":")
        put(secondOfDay % 60, digits: 2, after: ":")
        put(millisecond, digits: 3, after: ".")
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `t` and `z` in either case; nil for anything else,
    /// including dates that do not exist and hours, minutes or seconds out of range (no leap seconds).
    public static func date(from text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        func number(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[start..<start + count] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        func byte(_ index: Int, is options: UInt8...) -> Bool { index < bytes.count && options.contains(bytes[index]) }

        guard let year = number(0, 4), byte(4, is: UInt8(ascii: "-")), let month = number(5, 2), byte(7, is: UInt8(ascii: "-")),
              let day = number(8, 2), byte(10, is: UInt8(ascii: "T"), UInt8(ascii: "t")),
              let hour = number(11, 2), byte(13, is: UInt8(ascii: ":")), let minute = number(14, 2), byte(16, is: UInt8(ascii: ":")),
              let second = number(17, 2),
              (1...12).contains(month), day >= 1, day <= GregorianCalendar.daysIn(month: month, year: year), hour <= 23, minute <= 59, second <= 59
        else { return nil }

        var index = 19
        var millis: Int64 = 0
        if byte(index, is: UInt8(ascii: ".")) {
            index += 1
            let first = index
            while let digit = number(index, 1) {
                if index - first < 3 { millis = millis * 10 + digit }
                index += 1
            }
            guard index > first else { return nil }
            for _ in min(index - first, 3)..<3 { millis *= 10 }
        }

        var offset: Int64 = 0
        if byte(index, is: UInt8(ascii: "Z"), UInt8(ascii: "z")) {
            index += 1
        } else if byte(index, is: UInt8(ascii: "+"), UInt8(ascii: "-")) {
            guard let hours = number(index + 1, 2), byte(index + 3, is: UInt8(ascii: ":")), let minutes = number(index + 4, 2),
                  hours <= 23, minutes <= 59 else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }

        let seconds = GregorianCalendar.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds * 1000 + millis) / 1000)
    }
}
