/// What happened to messages published on a channel in confirm mode.
///
/// Pure: the AMQP bridge feeds it the frames it reads (basic.ack, basic.nack, basic.return) and acts on what
/// it answers, so every rule is tested without a broker. rabbitmq-c 0.11 has no confirm helper of its own.
/// - Delivery tags count from 1 per channel, in publish order.
/// - `multiple` settles every outstanding tag up to and including the one given.
/// - An unroutable mandatory message comes back as basic.return (which names no tag: we match it by its
///   message id) before the broker acks it; it is then settled as returned, not confirmed.
/// - When the channel or connection is lost, everything outstanding must be published again.
package struct PublisherConfirms<Message: Sendable>: Sendable {
    package enum Settlement: Sendable {
        /// The broker has the message (persisted, for persistent messages on durable queues).
        case confirmed(Message)
        /// The broker refused it: publish it again.
        case nacked(Message)
        /// No queue was bound for it: routed nowhere.
        case returned(Message)
    }

    package struct ProtocolViolation: Error, Hashable, Sendable, CustomStringConvertible {
        package var description: String
    }

    private struct Outstanding: Sendable {
        var tag: UInt64
        var messageID: String
        var message: Message
        var returned = false
    }

    private var nextTag: UInt64 = 1
    /// In tag order; settled ones leave from the front (or, for a single ack out of order, from inside).
    private var outstanding: [Outstanding] = []

    package init() {}

    package var outstandingCount: Int { outstanding.count }

    /// Records a publish and gives its delivery tag.
    package mutating func published(_ message: Message, messageID: String) -> UInt64 {
        defer { nextTag += 1 }
        outstanding.append(Outstanding(tag: nextTag, messageID: messageID, message: message))
        return nextTag
    }

    package mutating func ack(tag: UInt64, multiple: Bool) throws(ProtocolViolation) -> [Settlement] {
        try settle(tag: tag, multiple: multiple) { $0.returned ? .returned($0.message) : .confirmed($0.message) }
    }

    package mutating func nack(tag: UInt64, multiple: Bool) throws(ProtocolViolation) -> [Settlement] {
        try settle(tag: tag, multiple: multiple) { .nacked($0.message) }
    }

    /// basic.return for the message with this id; its ack follows.
    package mutating func returned(messageID: String) throws(ProtocolViolation) {
        guard let index = outstanding.firstIndex(where: { $0.messageID == messageID && !$0.returned }) else {
            throw ProtocolViolation(description: "basic.return for \(messageID), which is not outstanding")
        }
        outstanding[index].returned = true
    }

    /// The channel is gone: every outstanding message, in publish order, to publish again on a new channel,
    /// whose tags start again from 1.
    package mutating func channelLost() -> [Message] {
        defer {
            outstanding.removeAll()
            nextTag = 1
        }
        return outstanding.map(\.message)
    }

    private mutating func settle(
        tag: UInt64, multiple: Bool, as settlement: (Outstanding) -> Settlement
    ) throws(ProtocolViolation) -> [Settlement] {
        // Tags are ascending: the range is a prefix, a single tag is found by binary search.
        let end = outstanding.partitioningIndex { $0.tag > tag }
        if multiple {
            guard end > 0 else { throw ProtocolViolation(description: "ack/nack multiple up to \(tag), but nothing is outstanding up to it") }
            let settled = outstanding[..<end].map(settlement)
            outstanding.removeFirst(end)
            return settled
        }
        guard end > 0, outstanding[end - 1].tag == tag else {
            throw ProtocolViolation(description: "ack/nack of delivery tag \(tag), which is not outstanding")
        }
        return [settlement(outstanding.remove(at: end - 1))]
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false then true.
    fileprivate func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
