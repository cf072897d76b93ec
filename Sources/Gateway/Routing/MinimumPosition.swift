public import Hummingbird

/// `min_position=N&wait_ms=W`: read-your-writes. A read waits (at most W ms, default 2000, up to 10000)
/// until its read model has folded in log position N (invariant 8).
public struct MinimumPosition: Sendable, Hashable {
    public var position: Int64
    public var wait: Duration

    public init(position: Int64, wait: Duration) {
        self.position = position
        self.wait = wait
    }

    /// Nil when the request does not ask for a position; a typed 400 when it asks badly.
    public init?(_ request: Request) throws(APIError) {
        let query = request.uri.queryParameters
        guard let text = query.get("min_position") else { return nil }
        guard let position = Int64(text), position >= 0 else {
            throw APIError(.badRequest, code: "request.invalid_parameter", message: "min_position is a log position (0 or more)",
                           fields: ["min_position": "not a non-negative integer"])
        }
        var wait = 2_000
        if let waitText = query.get("wait_ms") {
            guard let value = Int(waitText), (0...10_000).contains(value) else {
                throw APIError(.badRequest, code: "request.invalid_parameter", message: "wait_ms is 0 to 10000", fields: ["wait_ms": "out of range"])
            }
            wait = value
        }
        self.position = position
        self.wait = .milliseconds(wait)
    }

    /// Waits with `wait`. Still behind afterwards: a position the log has not reached (no write answered it)
    /// is a 422 `request.position_unknown`; otherwise the read model is late, a 503 `projection.behind`.
    public func await(_ applied: (Int64, Duration) async -> Bool, head: () async throws -> Int64) async throws {
        guard await applied(position, wait) else {
            if try await head() < position {
                throw APIError(.unprocessableContent, code: "request.position_unknown", message: "the log has not reached position \(position)",
                               fields: ["min_position": "beyond the log"])
            }
            throw APIError(.serviceUnavailable, code: "projection.behind", message: "not at position \(position) yet; try again",
                           fields: ["min_position": "behind"])
        }
    }
}
