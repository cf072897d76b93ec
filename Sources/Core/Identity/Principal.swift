public import Foundation

/// Who a request acts as: a signed-in user, or an integration's API key (which carries its own
/// permissions instead of groups).
public enum Principal: Sendable, Hashable {
    case user(UUID)
    case apiKey(UUID)

    /// How event metadata names it (`EventMetadata.actor`).
    public var actor: String {
        switch self {
        case .user(let id): "user:\(id.lowercasedString)"
        case .apiKey(let id): "api_key:\(id.lowercasedString)"
        }
    }

    public var userID: UUID? {
        if case .user(let id) = self { id } else { nil }
    }
}
