import Foundation
import HummingbirdBcrypt
import NIOPosix

/// bcrypt, off the cooperative pool: one hash takes tens to hundreds of milliseconds by design.
public struct PasswordHasher: Sendable {
    /// 12 in production; tests lower it (4 is bcrypt's minimum) to keep thousands of logins fast.
    public let cost: UInt8
    /// A hash of nothing anyone knows, at the same cost as real ones (made once, at start), so that
    /// verifying against it takes as long as a wrong password does.
    private let decoy: String

    public init(cost: UInt8 = 12) {
        self.cost = cost
        self.decoy = Bcrypt.hash(UUID().uuidString + UUID().uuidString, cost: cost)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Against nil (an unknown user) it still spends a verification, so timing does not tell whether an
    /// email is registered.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
        let target = hash ?? decoy
        let result = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: target) }
        return hash != nil && result
    }
}
