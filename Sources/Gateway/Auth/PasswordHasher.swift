import HummingbirdBcrypt
import NIOPosix

/// bcrypt, off the cooperative pool: one hash takes tens to hundreds of milliseconds by design.
public struct PasswordHasher: Sendable {
    /// 12 in production; tests lower it (4 is bcrypt's minimum) to keep thousands of logins fast.
    public var cost: UInt8

    public init(cost: UInt8 = 12) {
        self.cost = cost
    }

    public func hash(_ password: String) async throws -> String {
        let cost = cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Against nil (an unknown user) it still spends a verification, so timing does not tell whether an
    /// email is registered.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
        let target = hash ?? Self.decoy
        let result = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: target) }
        return hash != nil && result
    }

    /// A hash of nothing anyone knows, at cost 10.
    private static let decoy = "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
}
