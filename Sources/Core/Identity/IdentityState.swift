public import Foundation

/// Everything identity commands are decided on and requests are authorized against: the account tree,
/// groups, grants, users and tenants, with each stream's version for optimistic concurrency. Built by
/// folding identity events in log order; pure.
public struct IdentityState: Sendable, Codable, Equatable {
    public struct Group: Sendable, Hashable, Codable {
        public var id: UUID
        public var accountID: UUID
        public var name: String
        public var permissions: [Permission: PermissionScope]
        public var predefined: String?

        public var asPermissionGroup: PermissionGroup { PermissionGroup(name: name, permissions: permissions) }
    }

    public struct User: Sendable, Hashable, Codable {
        public var id: UUID
        /// The account whose stream holds the user's events.
        public var accountID: UUID
        public var email: String
        public var name: String
        public var passwordHash: String?
        public var phone: String?
    }

    public struct Tenant: Sendable, Hashable, Codable {
        public var id: UUID
        public var ownerAccountID: UUID
        public var primaryDomain: String
        public var branding: TenantBranding
        /// A branding being previewed, not live yet.
        public var draft: TenantBranding?
        public var delegatedFields: Set<BrandingField> = []
        /// Domains besides the primary one, in the order they were added.
        public var extraDomains: [String] = []
        /// Logo SHA-256 → the version, on the tenant's stream, of the event that holds its bytes.
        public var uploadedLogos: [String: Int64] = [:]
    }

    public struct Session: Sendable, Hashable, Codable {
        public var id: UUID
        public var userID: UUID
        public var accountID: UUID
        public var tenantID: UUID
        public var tokenHash: String
        /// Every hash this family has rotated away from: presenting one again is reuse.
        public private(set) var usedHashes: UsedTokenDigests
        public var startedAt: Date
        public var expiresAt: Date
        public var absoluteExpiresAt: Date
        public var revoked: String?

        /// True if this family rotated away from `tokenHash`.
        public func hasUsed(_ tokenHash: String) -> Bool {
            usedHashes.contains(UsedTokenDigest(tokenHash))
        }

        mutating func rotate(to tokenHash: String, expiresAt: Date) {
            usedHashes.insert(UsedTokenDigest(self.tokenHash))
            self.tokenHash = tokenHash
            self.expiresAt = expiresAt
        }
    }

    public struct Impersonation: Sendable, Hashable, Codable {
        public var id: UUID
        public var accountID: UUID
        public var userID: UUID
        public var impersonatorID: UUID
        public var impersonatorAccountID: UUID
        public var tenantID: UUID
        public var startedAt: Date
        public var expiresAt: Date
        public var ended: Bool
    }

    public struct ApiKey: Sendable, Hashable, Codable {
        public var id: UUID
        public var accountID: UUID
        public var name: String
        public var permissions: [Permission: PermissionScope]
        public var secretHash: String
        public var createdAt: Date
        public var expiresAt: Date?
        public var lastUsedAt: Date?
        public var revoked: Bool

        public func usable(at now: Date) -> Bool { !revoked && expiresAt.map { now < $0 } ?? true }
    }

    public struct SmsCode: Sendable, Hashable, Codable {
        public var id: UUID
        public var userID: UUID
        public var accountID: UUID
        public var tenantID: UUID
        public var codeHash: String
        public var expiresAt: Date
        public var attempts: Int
        public var used: Bool
    }

    public private(set) var directory = AccountDirectory()
    public private(set) var groups: [UUID: Group] = [:]
    /// Account → its groups, in creation order.
    public private(set) var groupsOfAccount: [UUID: [UUID]] = [:]
    /// Account → user → the user's groups there.
    public private(set) var grants: [UUID: [UUID: [UUID]]] = [:]
    /// User → the accounts that granted it access.
    public private(set) var accountsOfUser: [UUID: Set<UUID>] = [:]
    public private(set) var users: [UUID: User] = [:]
    /// E.164 phone → the first user registered with it.
    public private(set) var userByPhone: [String: UUID] = [:]
    /// Phone → how many times it was released: the number of its next (or current) claim.
    public private(set) var phoneReleases: [String: Int] = [:]
    public private(set) var tenants: [UUID: Tenant] = [:]
    public private(set) var tenantByDomain: [String: UUID] = [:]
    /// Domain → how many times it was released: the number of its next (or current) claim.
    public private(set) var domainReleases: [String: Int] = [:]
    public private(set) var sessions: [UUID: Session] = [:]
    /// User → their sessions (revoked ones included, until they are forgotten: `forgetSessions`).
    public private(set) var sessionsOfUser: [UUID: [UUID]] = [:]
    public private(set) var impersonations: [UUID: Impersonation] = [:]
    public private(set) var smsCodes: [UUID: SmsCode] = [:]
    public private(set) var apiKeys: [UUID: ApiKey] = [:]
    /// Account → its API keys, in creation order.
    public private(set) var apiKeysOfAccount: [UUID: [UUID]] = [:]
    /// The version of every identity stream; an absent stream has none.
    public private(set) var versions: [StreamName: Int64] = [:]
    /// The log position of the last event folded in (maintained by whoever feeds the state).
    public var position: Int64 = 0

    public init() {}

    /// Forgets the sessions that expired before `cutoff` (their streams' versions too) and returns how many.
    /// No decision reads an expired session (a refresh, a revocation, a listing, a password change take it
    /// for absent), so forgetting one changes no answer; it stops every gateway from holding each session
    /// ever started, and each hash it rotated away from, for as long as it runs.
    public mutating func forgetSessions(expiredBefore cutoff: Date) -> Int {
        var forgotten: [UUID: Set<UUID>] = [:]
        for session in sessions.values where session.expiresAt < cutoff {
            forgotten[session.userID, default: []].insert(session.id)
        }
        for (user, ids) in forgotten {
            for id in ids {
                sessions[id] = nil
                versions[IdentityStreams.session(id)] = nil
            }
            sessionsOfUser[user]?.removeAll { ids.contains($0) }
            if sessionsOfUser[user]?.isEmpty == true { sessionsOfUser[user] = nil }
        }
        return forgotten.values.reduce(0) { $0 + $1.count }
    }

    public init(_ events: [IdentityEvent]) {
        self.init()
        for event in events { apply(event) }
    }

    /// Every event of an identity stream is an identity event, so counting them here gives each stream's
    /// version exactly as the log has it.
    public mutating func apply(_ event: IdentityEvent) {
        directory.apply(event)
        versions[event.placement.stream, default: 0] += 1
        switch event {
        case .groupCreated(let created):
            groups[created.groupID] = Group(
                id: created.groupID, accountID: created.accountID, name: created.name,
                permissions: Dictionary(created.permissions.map { ($0.permission, $0.scope) }, uniquingKeysWith: max),
                predefined: created.predefined
            )
            groupsOfAccount[created.accountID, default: []].append(created.groupID)
        case .groupRenamed(let renamed):
            groups[renamed.groupID]?.name = renamed.name
        case .accessGranted(let granted):
            grants[granted.accountID, default: [:]][granted.userID] = granted.groupIDs
            accountsOfUser[granted.userID, default: []].insert(granted.accountID)
        case .accessRevoked(let revoked):
            grants[revoked.accountID]?[revoked.userID] = nil
            accountsOfUser[revoked.userID]?.remove(revoked.accountID)
        case .userRegistered(let registered):
            users[registered.userID] = User(
                id: registered.userID, accountID: registered.accountID, email: registered.email, name: registered.name,
                passwordHash: registered.passwordHash, phone: registered.phone
            )
            if let phone = registered.phone, userByPhone[phone] == nil { userByPhone[phone] = registered.userID }
        case .tenantCreated(let created):
            tenants[created.tenantID] = Tenant(
                id: created.tenantID, ownerAccountID: created.ownerAccountID, primaryDomain: created.primaryDomain, branding: created.branding
            )
            tenantByDomain[created.primaryDomain] = created.tenantID
        case .tenantBrandingChanged(let changed):
            tenants[changed.tenantID]?.branding = changed.branding
        case .tenantLogoUploaded(let uploaded):
            // The bytes stay in the log: only where they are is kept in memory.
            tenants[uploaded.tenantID]?.uploadedLogos[uploaded.logo.sha256] = versions[IdentityStreams.tenant(uploaded.tenantID)]
        case .tenantBrandingDrafted(let drafted):
            tenants[drafted.tenantID]?.draft = drafted.branding
        case .tenantBrandingActivated(let activated):
            tenants[activated.tenantID]?.branding = activated.branding
            tenants[activated.tenantID]?.draft = nil
        case .userProfileChanged(let changed):
            guard var user = users[changed.userID] else { break }
            if let old = user.phone, userByPhone[old] == changed.userID { userByPhone[old] = nil }
            user.name = changed.name
            user.phone = changed.phone
            users[changed.userID] = user
            if let phone = changed.phone, userByPhone[phone] == nil { userByPhone[phone] = changed.userID }
        case .userPasswordChanged(let changed):
            users[changed.userID]?.passwordHash = changed.passwordHash
        case .platformBootstrapped:
            break  // the master account comes with the account.created beside it
        case .userPhoneClaimed:
            break  // the user's phone comes with the registration or profile change beside it
        case .userPhoneReleased(let released):
            phoneReleases[released.phone] = released.claim + 1
        case .tenantDomainAdded(let added):
            tenantByDomain[added.domain] = added.tenantID
            if !added.primary { tenants[added.tenantID]?.extraDomains.append(added.domain) }
        case .tenantDomainRemoved(let removed):
            tenantByDomain[removed.domain] = nil
            domainReleases[removed.domain] = (removed.claim ?? 0) + 1
            tenants[removed.tenantID]?.extraDomains.removeAll { $0 == removed.domain }
        case .tenantFieldsDelegated(let delegated):
            tenants[delegated.tenantID]?.delegatedFields = Set(delegated.fields)
        case .sessionStarted(let started):
            sessions[started.sessionID] = Session(
                id: started.sessionID, userID: started.userID, accountID: started.accountID, tenantID: started.tenantID,
                tokenHash: started.tokenHash, usedHashes: [], startedAt: started.startedAt, expiresAt: started.expiresAt,
                absoluteExpiresAt: started.absoluteExpiresAt, revoked: nil
            )
            sessionsOfUser[started.userID, default: []].append(started.sessionID)
        case .sessionRefreshed(let refreshed):
            // In place: a copy of the session would share its set of used hashes, and inserting into that
            // would copy the whole set, every refresh (a day's use of one session is ~100 of them).
            sessions[refreshed.sessionID]?.rotate(to: refreshed.tokenHash, expiresAt: refreshed.expiresAt)
        case .sessionRevoked(let revoked):
            sessions[revoked.sessionID]?.revoked = revoked.reason
        case .impersonationStarted(let started):
            impersonations[started.impersonationID] = Impersonation(
                id: started.impersonationID, accountID: started.accountID, userID: started.userID, impersonatorID: started.impersonatorID,
                impersonatorAccountID: started.impersonatorAccountID, tenantID: started.tenantID, startedAt: started.startedAt,
                expiresAt: started.expiresAt, ended: false
            )
        case .impersonationEnded(let ended):
            impersonations[ended.impersonationID]?.ended = true
        case .apiKeyCreated(let created):
            apiKeys[created.apiKeyID] = ApiKey(
                id: created.apiKeyID, accountID: created.accountID, name: created.name,
                permissions: Dictionary(created.permissions.map { ($0.permission, $0.scope) }, uniquingKeysWith: max),
                secretHash: created.secretHash, createdAt: created.createdAt, expiresAt: created.expiresAt, lastUsedAt: nil, revoked: false
            )
            apiKeysOfAccount[created.accountID, default: []].append(created.apiKeyID)
        case .apiKeyUsed(let used):
            apiKeys[used.apiKeyID]?.lastUsedAt = used.at
        case .apiKeyRevoked(let revoked):
            apiKeys[revoked.apiKeyID]?.revoked = true
        case .smsCodeIssued(let issued):
            smsCodes[issued.challengeID] = SmsCode(
                id: issued.challengeID, userID: issued.userID, accountID: issued.accountID, tenantID: issued.tenantID,
                codeHash: issued.codeHash, expiresAt: issued.expiresAt, attempts: 0, used: false
            )
        case .smsCodeFailed(let failed):
            smsCodes[failed.challengeID]?.attempts = failed.attempts
        case .smsCodeUsed(let used):
            smsCodes[used.challengeID]?.used = true
        case .accountCreated, .accountSuspended, .accountReactivated:
            break
        }
    }

    /// The number of a domain's current claim (or next, when nobody holds it).
    public func claim(ofDomain domain: String) -> Int { domainReleases[domain] ?? 0 }
    /// The number of a phone number's current claim (or next, when nobody holds it).
    public func claim(ofPhone phone: String) -> Int { phoneReleases[phone] ?? 0 }

    /// What an append of `stream` must expect for a decision taken on this state.
    public func expectedVersion(of stream: StreamName) -> ExpectedVersion {
        versions[stream].map { .exactly($0) } ?? .noStream
    }

    /// The user's groups in an account (none without a grant).
    public func groups(of user: UUID, in account: UUID) -> [Group] {
        (grants[account]?[user] ?? []).compactMap { groups[$0] }
    }

    /// What a principal holds in an account: a user's groups there, or an API key's own permissions (a
    /// revoked key, or one of another account, holds nothing; expiry is checked when the key is presented).
    public func permissionGroups(of principal: Principal, in account: UUID) -> [PermissionGroup] {
        switch principal {
        case .user(let user):
            return groups(of: user, in: account).map(\.asPermissionGroup)
        case .apiKey(let id):
            guard let key = apiKeys[id], key.accountID == account, !key.revoked else { return [] }
            return [PermissionGroup(name: key.name, permissions: key.permissions)]
        }
    }

    /// The one authorization question, on this state.
    public func allows(_ principal: Principal, actingIn account: UUID, _ permission: Permission, on resource: AccessCheck.Resource) -> Bool {
        AccessCheck.allows(directory, user: principal.userID, groups: permissionGroups(of: principal, in: account),
                           actingIn: account, permission: permission, on: resource)
    }

    public func allows(user: UUID, actingIn account: UUID, _ permission: Permission, on resource: AccessCheck.Resource) -> Bool {
        allows(.user(user), actingIn: account, permission, on: resource)
    }

    public static func userID(forEmail email: String) -> UUID { .nameBased(email, namespace: "canopy.user.email") }
    public static func tenantID(forDomain domain: String) -> UUID { .nameBased(domain, namespace: "canopy.tenant.domain") }
}
