public import Foundation

/// Everything that changes the account tree, its tenants, users, groups and grants, as the log holds it.
/// Each case names its payload's wire type (`account.created`, ...).
public enum IdentityEvent: Sendable, Hashable {
    case platformBootstrapped(PlatformBootstrapped)
    case accountCreated(AccountCreated)
    case accountSuspended(AccountSuspended)
    case accountReactivated(AccountReactivated)
    case groupCreated(GroupCreated)
    case groupRenamed(GroupRenamed)
    case accessGranted(AccessGranted)
    case accessRevoked(AccessRevoked)
    case userRegistered(UserRegistered)
    case tenantCreated(TenantCreated)
    case tenantBrandingChanged(TenantBrandingChanged)
    case sessionStarted(SessionStarted)
    case sessionRefreshed(SessionRefreshed)
    case sessionRevoked(SessionRevoked)
    case impersonationStarted(ImpersonationStarted)
    case impersonationEnded(ImpersonationEnded)
    case apiKeyCreated(ApiKeyCreated)
    case apiKeyUsed(ApiKeyUsed)
    case apiKeyRevoked(ApiKeyRevoked)
    case smsCodeIssued(SmsCodeIssued)
    case smsCodeFailed(SmsCodeFailed)
    case smsCodeUsed(SmsCodeUsed)
    case tenantLogoUploaded(TenantLogoUploaded)
    case tenantBrandingDrafted(TenantBrandingDrafted)
    case tenantBrandingActivated(TenantBrandingActivated)
    case tenantFieldsDelegated(TenantFieldsDelegated)
    case tenantDomainAdded(TenantDomainAdded)
    case tenantDomainRemoved(TenantDomainRemoved)
    case userProfileChanged(UserProfileChanged)
    case userPhoneClaimed(UserPhoneClaimed)
    case userPhoneReleased(UserPhoneReleased)
    case userPasswordChanged(UserPasswordChanged)

    public var type: String { Self.kind(of: self).type }

    /// Where the event lives: its stream, and the account that stream (and so the event) is bound to.
    public var placement: (stream: StreamName, accountID: UUID) {
        switch self {
        case .platformBootstrapped(let e): (IdentityStreams.platform, e.masterAccountID)
        case .accountCreated(let e): (IdentityStreams.account(e.accountID), e.accountID)
        case .accountSuspended(let e): (IdentityStreams.account(e.accountID), e.accountID)
        case .accountReactivated(let e): (IdentityStreams.account(e.accountID), e.accountID)
        case .groupCreated(let e): (IdentityStreams.account(e.accountID), e.accountID)
        case .groupRenamed(let e): (IdentityStreams.account(e.accountID), e.accountID)
        case .accessGranted(let e): (IdentityStreams.account(e.accountID), e.accountID)
        case .accessRevoked(let e): (IdentityStreams.account(e.accountID), e.accountID)
        case .userRegistered(let e): (IdentityStreams.user(e.userID), e.accountID)
        case .tenantCreated(let e): (IdentityStreams.tenant(e.tenantID), e.ownerAccountID)
        case .tenantBrandingChanged(let e): (IdentityStreams.tenant(e.tenantID), e.ownerAccountID)
        case .sessionStarted(let e): (IdentityStreams.session(e.sessionID), e.accountID)
        case .sessionRefreshed(let e): (IdentityStreams.session(e.sessionID), e.accountID)
        case .sessionRevoked(let e): (IdentityStreams.session(e.sessionID), e.accountID)
        case .impersonationStarted(let e): (IdentityStreams.impersonation(e.impersonationID), e.accountID)
        case .impersonationEnded(let e): (IdentityStreams.impersonation(e.impersonationID), e.accountID)
        case .apiKeyCreated(let e): (IdentityStreams.apiKey(e.apiKeyID), e.accountID)
        case .apiKeyUsed(let e): (IdentityStreams.apiKey(e.apiKeyID), e.accountID)
        case .apiKeyRevoked(let e): (IdentityStreams.apiKey(e.apiKeyID), e.accountID)
        case .smsCodeIssued(let e): (IdentityStreams.smsCode(e.challengeID), e.accountID)
        case .smsCodeFailed(let e): (IdentityStreams.smsCode(e.challengeID), e.accountID)
        case .smsCodeUsed(let e): (IdentityStreams.smsCode(e.challengeID), e.accountID)
        case .tenantLogoUploaded(let e): (IdentityStreams.tenant(e.tenantID), e.ownerAccountID)
        case .tenantBrandingDrafted(let e): (IdentityStreams.tenant(e.tenantID), e.ownerAccountID)
        case .tenantBrandingActivated(let e): (IdentityStreams.tenant(e.tenantID), e.ownerAccountID)
        case .tenantFieldsDelegated(let e): (IdentityStreams.tenant(e.tenantID), e.ownerAccountID)
        case .tenantDomainAdded(let e): (IdentityStreams.domain(e.domain, claim: e.claim ?? 0), e.ownerAccountID)
        case .tenantDomainRemoved(let e): (IdentityStreams.domain(e.domain, claim: e.claim ?? 0), e.ownerAccountID)
        case .userProfileChanged(let e): (IdentityStreams.user(e.userID), e.accountID)
        case .userPhoneClaimed(let e): (IdentityStreams.phone(e.phone, claim: e.claim), e.accountID)
        case .userPhoneReleased(let e): (IdentityStreams.phone(e.phone, claim: e.claim), e.accountID)
        case .userPasswordChanged(let e): (IdentityStreams.user(e.userID), e.accountID)
        }
    }

    /// Every identity event type with how to decode it; the one list the codec, the read model's
    /// subscription and the JSON Schemas are checked against.
    public struct Kind: Sendable {
        public let type: String
        let decode: @Sendable (String) throws -> IdentityEvent
        let payload: any (Codable & Sendable).Type
    }

    public static let kinds: [Kind] = [
        kind(PlatformBootstrapped.self, IdentityEvent.platformBootstrapped),
        kind(AccountCreated.self, IdentityEvent.accountCreated),
        kind(AccountSuspended.self, IdentityEvent.accountSuspended),
        kind(AccountReactivated.self, IdentityEvent.accountReactivated),
        kind(GroupCreated.self, IdentityEvent.groupCreated),
        kind(GroupRenamed.self, IdentityEvent.groupRenamed),
        kind(AccessGranted.self, IdentityEvent.accessGranted),
        kind(AccessRevoked.self, IdentityEvent.accessRevoked),
        kind(UserRegistered.self, IdentityEvent.userRegistered),
        kind(TenantCreated.self, IdentityEvent.tenantCreated),
        kind(TenantBrandingChanged.self, IdentityEvent.tenantBrandingChanged),
        kind(SessionStarted.self, IdentityEvent.sessionStarted),
        kind(SessionRefreshed.self, IdentityEvent.sessionRefreshed),
        kind(SessionRevoked.self, IdentityEvent.sessionRevoked),
        kind(ImpersonationStarted.self, IdentityEvent.impersonationStarted),
        kind(ImpersonationEnded.self, IdentityEvent.impersonationEnded),
        kind(ApiKeyCreated.self, IdentityEvent.apiKeyCreated),
        kind(ApiKeyUsed.self, IdentityEvent.apiKeyUsed),
        kind(ApiKeyRevoked.self, IdentityEvent.apiKeyRevoked),
        kind(SmsCodeIssued.self, IdentityEvent.smsCodeIssued),
        kind(SmsCodeFailed.self, IdentityEvent.smsCodeFailed),
        kind(SmsCodeUsed.self, IdentityEvent.smsCodeUsed),
        kind(TenantLogoUploaded.self, IdentityEvent.tenantLogoUploaded),
        kind(TenantBrandingDrafted.self, IdentityEvent.tenantBrandingDrafted),
        kind(TenantBrandingActivated.self, IdentityEvent.tenantBrandingActivated),
        kind(TenantFieldsDelegated.self, IdentityEvent.tenantFieldsDelegated),
        kind(TenantDomainAdded.self, IdentityEvent.tenantDomainAdded),
        kind(TenantDomainRemoved.self, IdentityEvent.tenantDomainRemoved),
        kind(UserProfileChanged.self, IdentityEvent.userProfileChanged),
        kind(UserPhoneClaimed.self, IdentityEvent.userPhoneClaimed),
        kind(UserPhoneReleased.self, IdentityEvent.userPhoneReleased),
        kind(UserPasswordChanged.self, IdentityEvent.userPasswordChanged),
    ]

    private static func kind<P: IdentityPayload>(_ payload: P.Type, _ wrap: @escaping @Sendable (P) -> IdentityEvent) -> Kind {
        Kind(type: P.type, decode: { text in wrap(try WireJSON.decode(P.self, from: text)) }, payload: P.self)
    }

    private static func kind(of event: IdentityEvent) -> any IdentityPayload.Type {
        switch event {
        case .platformBootstrapped: PlatformBootstrapped.self
        case .accountCreated: AccountCreated.self
        case .accountSuspended: AccountSuspended.self
        case .accountReactivated: AccountReactivated.self
        case .groupCreated: GroupCreated.self
        case .groupRenamed: GroupRenamed.self
        case .accessGranted: AccessGranted.self
        case .accessRevoked: AccessRevoked.self
        case .userRegistered: UserRegistered.self
        case .tenantCreated: TenantCreated.self
        case .tenantBrandingChanged: TenantBrandingChanged.self
        case .sessionStarted: SessionStarted.self
        case .sessionRefreshed: SessionRefreshed.self
        case .sessionRevoked: SessionRevoked.self
        case .impersonationStarted: ImpersonationStarted.self
        case .impersonationEnded: ImpersonationEnded.self
        case .apiKeyCreated: ApiKeyCreated.self
        case .apiKeyUsed: ApiKeyUsed.self
        case .apiKeyRevoked: ApiKeyRevoked.self
        case .smsCodeIssued: SmsCodeIssued.self
        case .smsCodeFailed: SmsCodeFailed.self
        case .smsCodeUsed: SmsCodeUsed.self
        case .tenantLogoUploaded: TenantLogoUploaded.self
        case .tenantBrandingDrafted: TenantBrandingDrafted.self
        case .tenantBrandingActivated: TenantBrandingActivated.self
        case .tenantFieldsDelegated: TenantFieldsDelegated.self
        case .tenantDomainAdded: TenantDomainAdded.self
        case .tenantDomainRemoved: TenantDomainRemoved.self
        case .userProfileChanged: UserProfileChanged.self
        case .userPhoneClaimed: UserPhoneClaimed.self
        case .userPhoneReleased: UserPhoneReleased.self
        case .userPasswordChanged: UserPasswordChanged.self
        }
    }

    var payload: any IdentityPayload {
        switch self {
        case .platformBootstrapped(let e): e
        case .accountCreated(let e): e
        case .accountSuspended(let e): e
        case .accountReactivated(let e): e
        case .groupCreated(let e): e
        case .groupRenamed(let e): e
        case .accessGranted(let e): e
        case .accessRevoked(let e): e
        case .userRegistered(let e): e
        case .tenantCreated(let e): e
        case .tenantBrandingChanged(let e): e
        case .sessionStarted(let e): e
        case .sessionRefreshed(let e): e
        case .sessionRevoked(let e): e
        case .impersonationStarted(let e): e
        case .impersonationEnded(let e): e
        case .apiKeyCreated(let e): e
        case .apiKeyUsed(let e): e
        case .apiKeyRevoked(let e): e
        case .smsCodeIssued(let e): e
        case .smsCodeFailed(let e): e
        case .smsCodeUsed(let e): e
        case .tenantLogoUploaded(let e): e
        case .tenantBrandingDrafted(let e): e
        case .tenantBrandingActivated(let e): e
        case .tenantFieldsDelegated(let e): e
        case .tenantDomainAdded(let e): e
        case .tenantDomainRemoved(let e): e
        case .userProfileChanged(let e): e
        case .userPhoneClaimed(let e): e
        case .userPhoneReleased(let e): e
        case .userPasswordChanged(let e): e
        }
    }
}

/// A payload that knows its wire type.
public protocol IdentityPayload: Codable, Sendable, Hashable {
    static var type: String { get }
}

extension IdentityPayload {
    var type: String { Self.type }
}

/// Stream names of the identity aggregates. Users and tenants have ids derived from their email and
/// primary domain, so "this email (domain) is taken" is the log's own optimistic concurrency (no stream yet),
/// with no separate uniqueness table to keep in step.
public enum IdentityStreams {
    /// The platform's own stream: one per log, whatever the master account's id and domain.
    public static let platform = StreamName(knownCategory: "platform", id: .nameBased("master", namespace: "canopy.platform"))
    public static func account(_ id: UUID) -> StreamName { StreamName(knownCategory: "account", id: id) }
    public static func user(_ id: UUID) -> StreamName { StreamName(knownCategory: "user", id: id) }
    public static func tenant(_ id: UUID) -> StreamName { StreamName(knownCategory: "tenant", id: id) }
    public static func session(_ id: UUID) -> StreamName { StreamName(knownCategory: "session", id: id) }
    public static func impersonation(_ id: UUID) -> StreamName { StreamName(knownCategory: "impersonation", id: id) }
    public static func apiKey(_ id: UUID) -> StreamName { StreamName(knownCategory: "api_key", id: id) }
    /// One claim on a domain name: what concurrent claims of it collide on. A released domain's next claim
    /// is a stream of its own, so that it can belong to another account (a stream has one account for life).
    public static func domain(_ domain: String, claim: Int = 0) -> StreamName {
        claimStream("domain", domain, claim, namespace: "canopy.domain.claim")
    }
    /// One claim on a phone number (see `domain(_:claim:)`).
    public static func phone(_ phone: String, claim: Int = 0) -> StreamName {
        claimStream("phone", phone, claim, namespace: "canopy.phone.claim")
    }

    /// Claim 0 keeps the name as it was before claims were counted; claim n is named after "name#n".
    private static func claimStream(_ category: StaticString, _ name: String, _ claim: Int, namespace: String) -> StreamName {
        StreamName(knownCategory: category, id: .nameBased(claim == 0 ? name : "\(name)#\(claim)", namespace: namespace))
    }
    public static func smsCode(_ id: UUID) -> StreamName { StreamName(knownCategory: "sms_code", id: id) }
}
