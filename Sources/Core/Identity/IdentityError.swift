/// Why the identity domain refused a command. Stable codes, as everywhere: clients switch on them.
public struct IdentityError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Missing, or outside the caller's reach (the two are never told apart).
        public static let accountNotFound = Code("account.not_found")
        public static let accountSuspended = Code("account.suspended")
        public static let accountNotSuspended = Code("account.not_suspended")
        public static let roleRequired = Code("account.role_required")
        public static let roleNotGrantable = Code("account.role_not_grantable")
        public static let tenantNotUsable = Code("account.tenant_not_usable")
        public static let alreadyExists = Code("account.already_exists")
        public static let userNotFound = Code("user.not_found")
        public static let emailTaken = Code("user.email_taken")
        public static let phoneTaken = Code("user.phone_taken")
        /// A user changing their own groups or access.
        public static let selfAccess = Code("user.self_access")
        public static let sessionNotFound = Code("session.not_found")
        public static let invalidRefreshToken = Code("auth.invalid_refresh_token")
        public static let invalidCode = Code("auth.invalid_code")
        public static let notASubAccount = Code("account.not_a_sub_account")
        public static let ownerAccess = Code("account.owner_access")
        public static let groupNotFound = Code("group.not_found")
        public static let tenantNotFound = Code("tenant.not_found")
        public static let domainTaken = Code("tenant.domain_taken")
        public static let noDraft = Code("tenant.no_draft")
        public static let domainNotFound = Code("tenant.domain_not_found")
        /// A bound account changing a branding field its tenant's owner did not delegate.
        public static let fieldNotDelegated = Code("tenant.field_not_delegated")
        public static let impersonationNotFound = Code("impersonation.not_found")
        /// Impersonating the account one already acts in, or from an impersonation token.
        public static let impersonationNotAllowed = Code("impersonation.not_allowed")
        public static let apiKeyNotFound = Code("api_key.not_found")
        /// A key may carry only permissions its creator holds, as far as the creator holds them.
        public static let permissionNotGrantable = Code("api_key.permission_not_grantable")
        /// A field failed validation; `fields` says which and why.
        public static let invalidInput = Code("request.invalid_input")
    }

    public var code: Code
    public var message: String
    /// Field (snake_case, as on the wire) → what is wrong with it.
    public var fields: [String: String]

    public init(_ code: Code, _ message: String, fields: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.fields = fields
    }

    static func invalid(_ field: String, _ reason: String) -> IdentityError {
        IdentityError(.invalidInput, "\(field): \(reason)", fields: [field: reason])
    }

    public var description: String { "\(code): \(message)" }
}
