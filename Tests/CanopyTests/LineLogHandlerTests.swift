@testable import canopy
import Foundation
import Logging
import Testing

@Suite struct LineLogHandlerTests {
    /// What a logger writes through the handler into a pipe, as text.
    static func lines(level: Logger.Level, _ body: (inout Logger) -> Void) throws -> String {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        var logger = Logger(label: "canopy.test") { label in LineLogHandler(label: label, level: level, fileDescriptor: fds[1], metadataProvider: nil) }
        body(&logger)
        close(fds[1])
        return String(decoding: FileHandle(fileDescriptor: fds[0]).readDataToEndOfFile(), as: UTF8.self)
    }

    @Test func writesOneLineWithSortedMetadataAndTheMessage() throws {
        let text = try Self.lines(level: .info) { logger in
            logger[metadataKey: "request_id"] = "r-1"
            logger[metadataKey: "account_id"] = "a-1"
            logger.info("granted", metadata: ["user_id": "u-1", "request_id": "r-2"])
        }
        #expect(text.hasSuffix(" info canopy.test: [account_id=a-1 request_id=r-2 user_id=u-1] granted\n"))
        #expect(text.split(separator: "\n").count == 1)
        #expect(text.hasPrefix("20") && text.contains("Z info"))
    }

    @Test func writesNothingBelowItsLevel() throws {
        let text = try Self.lines(level: .warning) { logger in
            logger.info("quiet")
            logger.error("loud")
        }
        #expect(!text.contains("quiet") && text.contains("error canopy.test: loud"))
    }
}
