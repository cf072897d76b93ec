public import Hummingbird
public import HTTPTypes
import Foundation

/// The one error shape of the API:
/// `{"error": {"code": "account.not_found", "message": "…", "fields": {…}, "request_id": "…"}}`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// Stable and documented: clients switch on it.
    public var code: String
    public var message: String
    /// Per-field problems of a request body, by snake_case field path.
    public var fields: [String: String]

    public init(_ status: HTTPResponse.Status, code: String, message: String, fields: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestID = context.logger[metadataKey: RequestIDMiddleware<BasicRequestContext>.metadataKey].map { "\($0)" }
        let body = ErrorBody(error: .init(code: code, message: message, fields: fields, requestID: requestID))
        let data = try JSONEncoder().encode(body)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

struct ErrorBody: Encodable {
    struct Detail: Encodable {
        var code: String
        var message: String
        var fields: [String: String]
        var requestID: String?

        enum CodingKeys: String, CodingKey {
            case code, message, fields
            case requestID = "request_id"
        }
    }

    var error: Detail
}

extension HTTPField.Name {
    public static let requestID = Self("X-Request-Id")!
}
