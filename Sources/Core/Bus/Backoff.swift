public import Logging

/// Delays between reconnect attempts: doubling from `initial` up to `maximum`, each drawn at random from
/// its upper half ("equal jitter") so that processes cut off together do not all come back together.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    private var attempt = 0

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt.
    public mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        let ceiling = min(initial * (1 << min(attempt, 30)), maximum)
        attempt += 1
        let half = ceiling / 2
        let nanoseconds = Int64(half.components.seconds) * 1_000_000_000 + half.components.attoseconds / 1_000_000_000
        return half + .nanoseconds(Int64.random(in: 0...max(nanoseconds, 0), using: &generator))
    }

    public mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// After a success: the next failure starts again from `initial`.
    public mutating func reset() { attempt = 0 }
}

/// Runs `attempt` until it returns or the task is cancelled (then nil). After each failure it logs, waits
/// the next delay of `backoff` and tries again; an attempt that ran for `healthyAfter` before failing starts
/// the delays over. For the long-lived loops (relay, consumers) that must outlive broker and database
/// restarts.
public func retryingUntilCancelled<T>(
    _ what: String, logger: Logger, backoff: Backoff = Backoff(), healthyAfter: Duration = .seconds(10),
    _ attempt: () async throws -> T
) async -> T? {
    var backoff = backoff
    while !Task.isCancelled {
        let started = ContinuousClock.now
        do {
            return try await attempt()
        } catch {
            if Task.isCancelled { return nil }
            if ContinuousClock.now - started >= healthyAfter { backoff.reset() }
            let delay = backoff.next()
            logger.warning("\(what) failed; trying again", metadata: ["error": "\(describe(error))", "retry_in": "\(delay)"])
            try? await Task.sleep(for: delay)
        }
    }
    return nil
}
