import Core
import Crypto
import Foundation
public import Logging
public import PostgresNIO

/// Attempts per key in a sliding window (per address, per email, per phone), counted in PostgreSQL so that
/// every gateway shares them: limits kept in each process's memory would multiply with the gateways. Keys
/// are stored as SHA-256 hashes; the window runs on the database's clock, the one every gateway shares.
public struct RateLimits: Sendable {
    public struct Rule: Sendable {
        /// Names the counter: one key is limited separately under each rule.
        public var bucket: String
        public var limit: Int
        public var window: Duration

        public init(bucket: String, limit: Int, window: Duration) {
            self.bucket = bucket
            self.limit = limit
            self.window = window
        }
    }

    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Counts one attempt against each (rule, key) in order and stops at the first that is full, which,
    /// like those after it, counts nothing: false then. Callers give their rules in a fixed order.
    public func allow(_ attempts: (Rule, String)...) async throws -> Bool {
        let buckets = attempts.map(\.0.bucket), limits = attempts.map { Int32(clamping: max(1, $0.0.limit)) }
        let windows = attempts.map { max(1, Int64(($0.0.window.seconds * 1000).rounded(.up))) }
        let hashes = attempts.map { SHA256.hash(data: Data("\($0.0.bucket)\u{1F}\($0.1)".utf8)).hexString }
        return try await client.checkedQuery(
            "SELECT rate_limit_attempt(\(buckets), \(hashes), \(limits), \(windows))", logger: logger
        ) { rows in
            for try await allowed in rows.decode(Bool.self) { return allowed }
            return false
        }
    }
}
