import Core
import Foundation
import Hummingbird

/// A super admin acting as an account's owner: a short access token with an `act` claim, no refresh token.
extension IdentityAPI {
    struct StartImpersonationRequest: Decodable {
        /// Shorter than the configured lifetime, if wanted.
        var lifetimeSeconds: Int?
    }

    struct ImpersonationResponse: Encodable {
        var impersonationID: UUID
        var accessToken: String
        var tokenType = "Bearer"
        var expiresIn: Int
        var userID: UUID
        var accountID: UUID
        var tenantID: UUID
        /// The host the token is good on: the impersonated account's tenant.
        var domain: String
        var position: Int64
    }

    func registerImpersonation(on routes: SecuredRouter) {
        routes.on(.post, "accounts/:account_id/impersonations", .permission(.impersonate, on: .account(parameter: "account_id"))) { request, context, authorized in
            let caller = try authorized.signedIn, superAdmin = try authorized.user, target = try authorized.resourceAccountID
            guard caller.impersonatorID == nil else {
                throw APIError(.forbidden, code: IdentityError.Code.impersonationNotAllowed.rawValue, message: "an impersonation cannot start another")
            }
            let body = try await JSONBody.decode(StartImpersonationRequest.self, from: request)
            var lifetime = configuration.impersonationLifetime
            if let seconds = body.lifetimeSeconds {
                guard (1...Int(ImpersonationCommands.maximumLifetime.seconds)).contains(seconds) else {
                    throw APIError(IdentityError(.invalidInput, "lifetime_seconds: 1 to 900", fields: ["lifetime_seconds": "1 to 900"]))
                }
                lifetime = min(lifetime, .seconds(seconds))
            }
            let id = UUID.v7(), now = Date()
            let position = try await runner.run(Self.metadata(caller, context)) {
                try ImpersonationCommands.start($0, impersonationID: id, superAdmin: superAdmin, actingIn: caller.accountID, account: target, now: now, lifetime: lifetime)
            }
            guard let (started, domain) = view.read({ state in
                state.impersonations[id].flatMap { started in state.tenants[started.tenantID].map { (started, $0.primaryDomain) } }
            }) else { throw APIError(.internalServerError, code: "internal", message: "the impersonation was not recorded") }
            let token = try await tokens.issue(.init(userID: started.userID, accountID: target, tenantID: started.tenantID, sessionID: id,
                                                     expiresAt: started.expiresAt, impersonatorID: superAdmin))
            return try JSONBody.response(ImpersonationResponse(
                impersonationID: id, accessToken: token, expiresIn: Int(started.expiresAt.timeIntervalSince(now).rounded()), userID: started.userID,
                accountID: target, tenantID: started.tenantID, domain: domain, position: position
            ), status: .created)
        }
        routes.on(.delete, "impersonations/:impersonation_id", .signedIn) { _, context, authorized in
            let caller = try authorized.signedIn, user = try authorized.user
            let id = try Self.path(context, "impersonation_id")
            let position = try await runner.run(Self.metadata(caller, context)) {
                try ImpersonationCommands.end($0, impersonationID: id, by: caller.impersonatorID ?? user, through: caller.sessionID)
            }
            return try JSONBody.response(Written(id: id, position: position))
        }
    }
}
