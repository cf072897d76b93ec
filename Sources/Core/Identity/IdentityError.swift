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
        public static let invalidName = Code("account.invalid_name")
        public static let alreadyExists = Code("account.already_exists")
        public static let notAnAncestor = Code("account.not_an_ancestor")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
