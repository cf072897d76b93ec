@testable import Core
import Foundation
import Testing

/// The hand-written RFC 3339 reader and writer, against Foundation's ISO 8601 style where Foundation is
/// right (Gregorian dates, well-formed text), and against the RFC where Foundation is lenient.
@Suite struct RFC3339Tests {
    /// Foundation's reading of the same instant, written as the old writer wrote it: seconds by the ISO 8601
    /// style, milliseconds by hand.
    static func foundationString(millis: Int64) -> String {
        let (quotient, remainder) = millis.quotientAndRemainder(dividingBy: 1000)
        let (seconds, millisecond) = remainder < 0 ? (quotient - 1, remainder + 1000) : (quotient, remainder)
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
        return whole.dropLast() + "." + String(format: "%03lld", millisecond) + "Z"
    }

    @Test func writesWhatFoundationWritesAndReadsItBackToTheMillisecond() {
        var generator = SystemRandomNumberGenerator()
        // 1583 to 9999: Foundation switches to the Julian calendar before October 1582.
        let range: ClosedRange<Int64> = -12_212_553_600_000 ... 253_402_300_799_999
        let edges: [Int64] = [0, 1, 999, 1000, 86_399_999, 86_400_000, 951_782_400_000, 4_107_542_399_999, range.lowerBound, range.upperBound]
        for millis in edges + (0..<5_000).map({ _ in Int64.random(in: range, using: &generator) }) {
            let text = RFC3339.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
            #expect(text == Self.foundationString(millis: millis), "\(millis)")
            #expect(RFC3339.date(from: text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } == millis, "\(text)")
        }
    }

    @Test func beforeTheEpochAndBeforeTheGregorianSwitchTheCalendarIsProlepticGregorian() {
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: -62_135_596_800)) == "0001-01-01T00:00:00.000Z")
        #expect(RFC3339.date(from: "0000-03-01T00:00:00Z")?.timeIntervalSince1970 == -62_162_035_200)
        for days in stride(from: Int64(-800_000), through: 3_000_000, by: 997) {
            let (year, month, day) = GregorianCalendar.civil(fromDays: days)
            #expect(GregorianCalendar.days(year: year, month: month, day: day) == days)
        }
    }

    @Test func readsOffsetsFractionsAndEitherCaseOfTAndZ() {
        let instant = 1_795_408_034.0  // 2026-11-23T04:27:14Z
        let equal: [(String, Double)] = [
            ("2026-11-23T04:27:14Z", instant), ("2026-11-23t04:27:14z", instant),
            ("2026-11-23T06:27:14+02:00", instant), ("2026-11-22T22:57:14-05:30", instant), ("2026-11-23T04:27:14-00:00", instant),
            ("2026-11-23T04:27:14.5Z", instant + 0.5), ("2026-11-23T04:27:14.123456789Z", instant + 0.123),
            ("2026-11-23T04:27:14.07Z", instant + 0.07), ("2026-11-23T04:27:14.999+00:00", instant + 0.999),
        ]
        for (text, expected) in equal {
            #expect(RFC3339.date(from: text)?.timeIntervalSince1970 == expected, "\(text)")
        }
        // Where Foundation reads an offset, both agree.
        for text in ["2026-11-23T06:27:14+02:00", "2026-11-22T22:57:14-05:30", "2031-07-01T12:00:00+14:00"] {
            let foundation = try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text)
            #expect(RFC3339.date(from: text) == foundation, "\(text)")
        }
    }

    @Test func refusesWhatIsNotAnRFC3339TimeEvenWhereFoundationReadsIt() {
        let refused = [
            "", "2026", "2026-11-23", "2026-11-23T04:27Z", "2026-11-23T04:27:14", "2026-11-23 04:27:14Z", " 2026-11-23T04:27:14Z",
            "2026-11-23T04:27:14Z ", "2026-11-23T04:27:14Zjunk", "2026-11-23T04:27:14.Z", "2026-11-23T04:27:14+0200",
            "2026-11-23T04:27:14+02", "2026-11-23T04:27:14+24:00", "2026-11-23T04:27:14+02:60", "+2026-11-23T04:27:14Z",
            "12026-11-23T04:27:14Z", "2026-1-23T04:27:14Z", "2026-11-3T04:27:14Z", "2026-00-10T00:00:00Z", "2026-13-01T00:00:00Z",
            "2026-11-00T00:00:00Z", "2026-11-31T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
            "2026-11-23T24:00:00Z", "2026-11-23T23:60:00Z", "2026-11-23T23:59:60Z", "2026-11-23T04:27:1aZ",
            "٢٠٢٦-11-23T04:27:14Z", "2026-11-23T04:27:14.١Z", "2026−11−23T04:27:14Z",
        ]
        for text in refused {
            #expect(RFC3339.date(from: text) == nil, "\(text)")
        }
        // Leap days that exist.
        for text in ["2024-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "1600-02-29T12:00:00.001Z"] {
            #expect(RFC3339.date(from: text) != nil, "\(text)")
        }
    }
}
