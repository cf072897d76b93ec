import Synchronization

/// Attempts per key in a sliding window (per IP, per email, per phone). Keys are forgotten once their
/// window passes, so memory follows the traffic of the last window only.
public final class RateLimiter: Sendable {
    public struct Rule: Sendable {
        public var limit: Int
        public var window: Duration

        public init(limit: Int, window: Duration) {
            self.limit = limit
            self.window = window
        }
    }

    private let rule: Rule
    private let attempts = Mutex<[String: [ContinuousClock.Instant]]>([:])

    public init(_ rule: Rule) {
        self.rule = rule
    }

    /// Counts an attempt for `key`; false when the key is over its limit (the attempt is not counted then).
    public func allow(_ key: String, now: ContinuousClock.Instant = .now) -> Bool {
        attempts.withLock { attempts in
            if attempts.count > 10_000 { attempts = attempts.filter { $0.value.last.map { now - $0 < rule.window } ?? false } }
            var recent = (attempts[key] ?? []).filter { now - $0 < rule.window }
            guard recent.count < rule.limit else {
                attempts[key] = recent
                return false
            }
            recent.append(now)
            attempts[key] = recent
            return true
        }
    }
}
