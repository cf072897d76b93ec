public import Core
public import Hummingbird

/// Who is calling: a verified access token or API key, checked against the identity view.
public struct Caller: Sendable, Hashable {
    public var principal: Principal
    /// The account the caller acts in; every resource it reaches is this account or below it.
    public var accountID: UUID
    public var tenantID: UUID
    public var sessionID: UUID?
    public var impersonatorID: UUID?

    /// The signed-in user; nil for an API key.
    public var userID: UUID? { principal.userID }
}

/// The request context of every Canopy route: the tenant the Host named, and the caller once signed in.
public struct CanopyContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var tenant: IdentityState.Tenant?
    public var caller: Caller?
    /// The peer, for rate limits per address.
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Small bodies only: the largest request (a logo) is capped by its route.
    public var maxUploadSize: Int { 1 << 20 }
}

public import struct Foundation.UUID
public import NIOCore
