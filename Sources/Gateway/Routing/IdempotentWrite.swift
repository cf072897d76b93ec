import Core
import Crypto
import Foundation
import Hummingbird
import HTTPTypes

/// `Idempotency-Key` on a signed-in write: the first request with a key runs and its successful reply is
/// kept; a repeat (same caller, route and body) gets that reply again, marked `Idempotent-Replayed: true`,
/// and appends nothing. A failed first attempt frees the key, since it changed nothing.
struct IdempotentWrite {
    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!
    static let methods: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    let store: IdempotencyStore

    func run(_ request: Request, caller: Caller, key: String, handler: (Request) async throws -> Response) async throws -> Response {
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw APIError(.badRequest, code: "request.invalid_idempotency_key", message: "Idempotency-Key: 1-255 visible ASCII characters",
                           fields: ["Idempotency-Key": "1-255 visible ASCII characters"])
        }
        var request = request
        let body: ByteBuffer
        // The largest body any route takes (a logo); each route still applies its own limit after.
        do { body = try await request.collectBody(upTo: LogoImage.maximumBytes) } catch {
            throw APIError(.contentTooLarge, code: "request.too_large", message: "the body is over \(LogoImage.maximumBytes) bytes")
        }
        let scope = "\(caller.principal.actor) \(caller.accountID.lowercasedString) \(request.method) \(request.uri.path)"
        let hash = SHA256.hash(data: Data(body.readableBytesView)).hexString
        switch try await store.claim(account: caller.accountID, scope: scope, key: key, requestHash: hash) {
        case .replay(let status, let text):
            return Response(status: .init(code: status), headers: [.contentType: "application/json", Self.replayed: "true"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        case .mismatch:
            throw APIError(.unprocessableContent, code: "idempotency.key_reused", message: "this Idempotency-Key was used for a different request")
        case .inProgress:
            throw APIError(.conflict, code: "idempotency.in_progress", message: "a request with this Idempotency-Key is still running; retry shortly")
        case .fresh:
            let response: Response
            do { response = try await handler(request) } catch {
                try await store.release(scope: scope, key: key)
                throw error
            }
            let collector = BodyCollector()
            try await response.body.write(collector)
            let text = String(buffer: collector.buffer)
            if (200..<300).contains(response.status.code) {
                try await store.complete(scope: scope, key: key, status: response.status.code, body: text)
            } else {
                try await store.release(scope: scope, key: key)
            }
            var replay = response
            replay.body = .init(byteBuffer: collector.buffer)
            return replay
        }
    }
}

/// Gathers a response body, to keep it and send it.
private final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ part: ByteBuffer) async throws {
        var part = part
        buffer.writeBuffer(&part)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
