public import Hummingbird
import Core
import Foundation

/// Gives every request an id (the caller's `X-Request-Id` when it is sane, else a new one), puts it in the
/// request's log metadata, where error responses find it, and echoes it on every response.
public struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    static var metadataKey: String { "request_id" }

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let offered = request.headers[.requestID]
        let id = offered.flatMap { $0.count <= 128 && $0.allSatisfy { $0.isASCII && !$0.isWhitespace } ? $0 : nil } ?? UUID.v7().lowercasedString  // not UUID(): it opens /dev/urandom on every call here
        var context = context
        context.logger[metadataKey: Self.metadataKey] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }
}
