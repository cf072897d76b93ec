@testable import Core
import Testing

@Suite struct PublisherConfirmsTests {
    typealias Confirms = PublisherConfirms<String>

    func names(_ settlements: [Confirms.Settlement]) -> [String] {
        settlements.map {
            switch $0 {
            case .confirmed(let m): "confirmed \(m)"
            case .nacked(let m): "nacked \(m)"
            case .returned(let m): "returned \(m)"
            }
        }
    }

    func published(_ messages: [String]) -> Confirms {
        var confirms = Confirms()
        for (index, message) in messages.enumerated() {
            #expect(confirms.published(message, messageID: "id-\(message)") == UInt64(index + 1))
        }
        return confirms
    }

    @Test func tagsCountFromOneInPublishOrder() {
        let confirms = published(["a", "b", "c"])
        #expect(confirms.outstandingCount == 3)
    }

    @Test func aSingleAckSettlesOnlyItsTag() throws {
        var confirms = published(["a", "b", "c"])
        #expect(names(try confirms.ack(tag: 2, multiple: false)) == ["confirmed b"])
        #expect(names(try confirms.ack(tag: 1, multiple: false)) == ["confirmed a"])
        #expect(confirms.outstandingCount == 1)
    }

    @Test func multipleSettlesEveryTagUpToIt() throws {
        var confirms = published(["a", "b", "c", "d"])
        _ = try confirms.ack(tag: 2, multiple: false)
        #expect(names(try confirms.ack(tag: 3, multiple: true)) == ["confirmed a", "confirmed c"])
        #expect(names(try confirms.nack(tag: 4, multiple: true)) == ["nacked d"])
        #expect(confirms.outstandingCount == 0)
    }

    @Test func aReturnedMessageIsSettledAsReturnedByItsAck() throws {
        var confirms = published(["a", "b"])
        try confirms.returned(messageID: "id-b")
        #expect(names(try confirms.ack(tag: 2, multiple: true)) == ["confirmed a", "returned b"])
    }

    @Test func framesForWhatIsNotOutstandingAreProtocolViolations() throws {
        var confirms = published(["a"])
        #expect(throws: Confirms.ProtocolViolation.self) { try confirms.ack(tag: 7, multiple: false) }
        #expect(throws: Confirms.ProtocolViolation.self) { try confirms.returned(messageID: "id-zzz") }
        _ = try confirms.ack(tag: 1, multiple: false)
        #expect(throws: Confirms.ProtocolViolation.self) { try confirms.ack(tag: 1, multiple: false) }
        #expect(throws: Confirms.ProtocolViolation.self) { try confirms.nack(tag: 1, multiple: true) }
    }

    @Test func losingTheChannelGivesBackEverythingOutstandingAndRestartsTags() throws {
        var confirms = published(["a", "b", "c"])
        _ = try confirms.ack(tag: 1, multiple: false)
        #expect(confirms.channelLost() == ["b", "c"])
        #expect(confirms.outstandingCount == 0)
        #expect(confirms.published("b", messageID: "id-b") == 1)
    }

    /// Random interleavings: every message published is settled exactly once or given back, never lost.
    @Test func nothingIsLostOrSettledTwiceUnderRandomFrames() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var confirms = Confirms()
            var published: [String] = []
            var seen: [String] = []
            var nextTag: UInt64 = 1
            var unsettled: [UInt64: String] = [:]
            for step in 0..<Int.random(in: 1...60, using: &generator) {
                if unsettled.isEmpty || Bool.random(using: &generator) {
                    let message = "m\(step)"
                    let tag = confirms.published(message, messageID: message)
                    #expect(tag == nextTag)
                    unsettled[tag] = message
                    published.append(message)
                    nextTag += 1
                } else {
                    let tag = unsettled.keys.randomElement(using: &generator)!
                    let multiple = Bool.random(using: &generator)
                    let settled = Bool.random(using: &generator) ? try confirms.ack(tag: tag, multiple: multiple) : try confirms.nack(tag: tag, multiple: multiple)
                    for settlement in settled {
                        switch settlement {
                        case .confirmed(let m), .nacked(let m), .returned(let m): seen.append(m)
                        }
                    }
                    for key in unsettled.keys where multiple ? key <= tag : key == tag { unsettled.removeValue(forKey: key) }
                }
            }
            seen += confirms.channelLost()
            #expect(seen.sorted() == published.sorted())
        }
    }
}
