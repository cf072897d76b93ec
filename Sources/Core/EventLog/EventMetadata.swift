public import Foundation

/// Who and what caused an event. Stored with every event; never holds a secret or a token.
public struct EventMetadata: Codable, Hashable, Sendable {
    /// The principal that issued the command: `user:<uuid>`, `api_key:<uuid>` or `system:<component>`.
    public var actor: String?
    /// The account the actor was acting in (may be an ancestor of the event's account).
    public var actingAccountID: UUID?
    /// The event or command that directly caused this one.
    public var causationID: UUID?
    /// Shared by everything that follows from one original request.
    public var correlationID: UUID?
    public var requestID: String?
    /// The super admin acting through an impersonation token, when there is one.
    public var impersonatorID: UUID?

    public init(
        actor: String? = nil, actingAccountID: UUID? = nil, causationID: UUID? = nil,
        correlationID: UUID? = nil, requestID: String? = nil, impersonatorID: UUID? = nil
    ) {
        self.actor = actor
        self.actingAccountID = actingAccountID
        self.causationID = causationID
        self.correlationID = correlationID
        self.requestID = requestID
        self.impersonatorID = impersonatorID
    }

    /// The JSON object the log stores (snake_case keys, absent fields left out), written directly:
    /// JSONEncoder was a tenth of the append path's CPU.
    var jsonText: String {
        var out = "{"
        out.reserveCapacity(320)
        func add(_ key: String, _ value: String) {
            if out.utf8.count > 1 { out += "," }
            out += key
            out += value
        }
        if let actingAccountID { add(#""acting_account_id":"#, "\"" + actingAccountID.lowercasedString + "\"") }
        if let actor { add(#""actor":"#, WireJSON.quoted(actor)) }
        if let causationID { add(#""causation_id":"#, "\"" + causationID.lowercasedString + "\"") }
        if let correlationID { add(#""correlation_id":"#, "\"" + correlationID.lowercasedString + "\"") }
        if let impersonatorID { add(#""impersonator_id":"#, "\"" + impersonatorID.lowercasedString + "\"") }
        if let requestID { add(#""request_id":"#, WireJSON.quoted(requestID)) }
        out += "}"
        return out
    }
}
