import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends text messages through a Twilio-compatible Messages API: `POST {base}/2010-04-01/Accounts/{sid}/
/// Messages.json`, a form with `To`, `From` and `Body`, HTTP basic auth with the account sid and token.
public struct SmsProvider: Sendable {
    public struct Configuration: Sendable {
        public var baseURL: String
        public var accountSID: String
        public var authToken: String
        /// The sender number (E.164) or sender id.
        public var from: String

        public init(baseURL: String, accountSID: String, authToken: String, from: String) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.accountSID = accountSID
            self.authToken = authToken
            self.from = from
        }
    }

    public struct SendFailed: Error, CustomStringConvertible {
        public var description: String
    }

    let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public func send(to phone: String, body: String) async throws {
        let c = configuration
        var request = HTTPClientRequest(url: "\(c.baseURL)/2010-04-01/Accounts/\(Self.formEncoded(c.accountSID))/Messages.json")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Authorization", value: "Basic " + Data("\(c.accountSID):\(c.authToken)".utf8).base64EncodedString())
        let form = [("To", phone), ("From", c.from), ("Body", body)].map { "\($0)=\(Self.formEncoded($1))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let answer = try await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw SendFailed(description: "the SMS provider answered \(response.status.code): \(String(buffer: answer).prefix(200))")
        }
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// application/x-www-form-urlencoded: everything but unreserved characters percent-encoded.
    static func formEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
