import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization

/// A local SMS provider speaking Twilio's Messages API over real HTTP: it checks the basic credentials and
/// the form, records every message, and answers as Twilio does (201 with the message, 401 for bad credentials).
final class TwilioServer: Sendable {
    struct Message: Sendable, Hashable {
        var to: String
        var from: String
        var body: String
    }

    static let accountSID = "AC00000000000000000000000000000001"
    static let authToken = "local-twilio-token"

    private let received = Mutex<[Message]>([])
    /// When set, every message is refused with this status (a provider outage).
    let failing = Mutex<Int?>(nil)

    var messages: [Message] { received.withLock { $0 } }

    /// Serves on a loopback port for `body`, which gets the base URL.
    func serve(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("2010-04-01/Accounts/:sid/Messages.json") { request, context -> Response in
            let expected = "Basic " + Data("\(Self.accountSID):\(Self.authToken)".utf8).base64EncodedString()
            guard context.parameters.get("sid") == Self.accountSID, request.headers[.authorization] == expected else {
                return Self.json(#"{"code": 20003, "message": "Authenticate", "status": 401}"#, status: .unauthorized)
            }
            if let status = self.failing.withLock({ $0 }) { return Self.json(#"{"code": 20500, "status": \#(status)}"#, status: .init(code: status)) }
            var request = request
            let form = Self.form(String(buffer: try await request.collectBody(upTo: 16_384)))
            guard request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true,
                  let to = form["To"], let from = form["From"], let text = form["Body"] else {
                return Self.json(#"{"code": 21604, "message": "A 'To' phone number is required.", "status": 400}"#, status: .badRequest)
            }
            self.received.withLock { $0.append(Message(to: to, from: from, body: text)) }
            return Self.json(#"{"sid": "SM\#(UUID().uuidString.prefix(8))", "status": "queued", "to": "\#(to)", "from": "\#(from)"}"#, status: .created)
        }
        try await Application(router: router).test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)")
        }
    }

    static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }

    static func json(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
