import Core
import Foundation
import Hummingbird

/// Passwordless login on a tenant's domain: a 6-digit code by SMS, then the code for tokens.
extension IdentityAPI {
    struct SmsCodeRequest: Decodable {
        var phone: String
        var accountID: UUID?
    }

    struct SmsCodeVerification: Decodable {
        var challengeID: UUID
        var code: String
    }

    struct SmsChallenge: Encodable {
        var challengeID: UUID
        var expiresIn = Int(SmsCodeCommands.lifetime.seconds)
    }

    func registerSmsLogin(on routes: SecuredRouter) {
        routes.on(.post, "auth/sms", .anonymous(reason: "this is how a caller without a password gets a code")) { request, context, _ in
            let body = try await JSONBody.decode(SmsCodeRequest.self, from: request)
            return try await sendCode(body, from: clientAddress(request, context), context: context)
        }
        routes.on(.post, "auth/sms/verify", .anonymous(reason: "the code is the credential")) { request, context, _ in
            let body = try await JSONBody.decode(SmsCodeVerification.self, from: request)
            return try await verifyCode(body, from: clientAddress(request, context), context: context)
        }
    }

    /// Always the same answer, whether or not the phone belongs to someone who may log in here (no
    /// enumeration); a code goes out only when it does.
    private func sendCode(_ body: SmsCodeRequest, from address: String, context: CanopyContext) async throws -> Response {
        // Not configured: the feature does not exist on this platform (a 404, not an outage).
        guard let sms else { throw APIError(.notFound, code: "auth.sms_unavailable", message: "SMS login is not available here") }
        let phone: String
        do { phone = try IdentityValidation.phone(body.phone) } catch { throw APIError(error) }
        guard try await limits.allow((configuration.smsPerIP, address), (configuration.smsPerPhone, phone)) else {
            throw APIError(.tooManyRequests, code: "auth.rate_limited", message: "too many codes asked for; wait a few minutes")
        }
        let tenant = context.tenant!
        let challenge = UUID.v7()
        if let user = view.read({ $0.userByPhone[phone] }), let account = loginAccount(user: user, tenant: tenant.id, wanted: body.accountID) {
            var generator = SystemRandomNumberGenerator()
            let code = String(format: "%06d", Int.random(in: 0..<1_000_000, using: &generator))
            let hash = tokens.digest("\(challenge.lowercasedString):\(code)")
            _ = try await runner.run(Self.metadata(user: user, account: account, context)) {
                try SmsCodeCommands.issue($0, challengeID: challenge, user: user, account: account, tenant: tenant.id, codeHash: hash, now: Date())
            }
            do {
                try await sms.send(to: phone, body: "\(code) is your \(tenant.branding.displayName) code. It expires in 5 minutes.")
            } catch {
                context.logger.error("SMS not sent", metadata: ["error": "\(error)"])
                throw APIError(.badGateway, code: "auth.sms_not_sent", message: "the code could not be sent; try again")
            }
        }
        return try JSONBody.response(SmsChallenge(challengeID: challenge), status: .accepted)
    }

    private func verifyCode(_ body: SmsCodeVerification, from address: String, context: CanopyContext) async throws -> Response {
        guard try await limits.allow((configuration.loginPerIP, address)) else {
            throw Self.tooManyAttempts
        }
        let tenant = context.tenant!
        let hash = tokens.digest("\(body.challengeID.lowercasedString):\(body.code)")
        let now = Date()
        // A wrong code is written down (it counts against the challenge's attempts), then refused.
        guard let accepted = try await decideVerification(challenge: body.challengeID, tenant: tenant.id, hash: hash, now: now, context: context) else {
            throw APIError(SmsCodeCommands.invalidCode)
        }
        return try await startSession(user: accepted.userID, account: accepted.accountID, tenant: tenant.id, method: "sms", context: context) { state in
            guard case .accepted(_, let events) = try SmsCodeCommands.verify(state, challengeID: body.challengeID, tenant: tenant.id, presentedHash: hash, now: now),
                  state.grants[accepted.accountID]?[accepted.userID] != nil, state.directory.isActive(accepted.accountID) else {
                throw SmsCodeCommands.invalidCode
            }
            return events
        }
    }

    /// The challenge a right code opens, or nil after writing down a wrong one.
    private func decideVerification(challenge: UUID, tenant: UUID, hash: String, now: Date, context: CanopyContext) async throws -> IdentityState.SmsCode? {
        let verdict: SmsCodeCommands.Verification
        do { verdict = try view.read { try SmsCodeCommands.verify($0, challengeID: challenge, tenant: tenant, presentedHash: hash, now: now) } } catch let error as IdentityError {
            throw APIError(error)
        }
        switch verdict {
        case .accepted(let code, _):
            return code
        case .rejected:
            _ = try await runner.run(Self.metadata(nil, context)) { state in
                guard case .rejected(let events) = try SmsCodeCommands.verify(state, challengeID: challenge, tenant: tenant, presentedHash: hash, now: now) else { return [] }
                return events
            }
            return nil
        }
    }
}
