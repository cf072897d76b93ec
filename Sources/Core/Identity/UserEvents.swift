public import Foundation

/// A global user: one per email across the platform, owning itself. The stream is bound to the account
/// that brought the user in; other accounts reach the user only through grants.
public struct UserRegistered: IdentityPayload {
    public static let type = "user.registered"
    public var userID: UUID
    public var accountID: UUID
    /// Normalized: trimmed, lowercased.
    public var email: String
    public var name: String
    /// bcrypt; nil for a user who has not set a password (SMS login only).
    public var passwordHash: String?
    /// E.164, for logins by SMS code; nil when none was given.
    public var phone: String?
}

/// A user's basic data changed (name, phone); the email, the user's identity, never does.
public struct UserProfileChanged: IdentityPayload {
    public static let type = "user.profile_changed"
    public var userID: UUID
    /// The account whose stream holds the user (the one that registered it).
    public var accountID: UUID
    public var name: String
    public var phone: String?
}

/// A phone number now belongs to a user (for logins by SMS code): one user per number. Each claim of a
/// number is a stream of its own, numbered as `TenantDomainAdded.claim` numbers a domain's, so a number one
/// user gave up can go to a user of another account; two claims decided at once meet on the same stream.
public struct UserPhoneClaimed: IdentityPayload {
    public static let type = "user.phone_claimed"
    public var userID: UUID
    /// The account whose stream holds the user.
    public var accountID: UUID
    /// E.164.
    public var phone: String
    public var claim: Int
}

/// A user gave up a phone number (for another one): the number's next claim may be anyone's.
public struct UserPhoneReleased: IdentityPayload {
    public static let type = "user.phone_released"
    public var userID: UUID
    public var accountID: UUID
    public var phone: String
    public var claim: Int
}

/// A user chose a new password, proving the old one (the gateway checks it; the log keeps only the hash).
/// The user's other sessions are revoked beside it.
public struct UserPasswordChanged: IdentityPayload {
    public static let type = "user.password_changed"
    public var userID: UUID
    /// The account whose stream holds the user.
    public var accountID: UUID
    /// bcrypt.
    public var passwordHash: String
}
