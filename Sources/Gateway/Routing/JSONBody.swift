import Core
import Foundation
public import Hummingbird

/// Request and response bodies in the wire convention (snake_case, RFC 3339 times), with typed 400s that
/// name the field.
public enum JSONBody {
    public static let defaultLimit = 64 * 1024

    public static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = defaultLimit) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch {
            throw APIError(.contentTooLarge, code: "request.too_large", message: "the body is over \(limit) bytes")
        }
        let text = String(buffer: buffer)
        guard WireJSON.isObject(text) else {
            throw APIError(.badRequest, code: "request.malformed_json", message: "the body is not a JSON object")
        }
        do { return try WireJSON.decode(T.self, from: text) } catch let error as DecodingError {
            let (field, reason) = describe(error)
            throw APIError(.badRequest, code: "request.invalid_input", message: "\(field): \(reason)", fields: [field: reason])
        }
    }

    public static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let bytes = try WireJSONWriter.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private static func describe(_ error: DecodingError) -> (String, String) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map(String.init) ?? snakeCase($0.stringValue) }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return (path(context.codingPath + [key]), "required")
        case .typeMismatch(_, let context): return (path(context.codingPath), "wrong type")
        case .valueNotFound(_, let context): return (path(context.codingPath), "required")
        case .dataCorrupted(let context): return (path(context.codingPath), "not a valid value")
        @unknown default: return ("body", "not valid")
        }
    }

    private static func snakeCase(_ key: String) -> String {
        key.reduce(into: "") { out, character in
            if character.isUppercase { out += "_" + character.lowercased() } else { out.append(character) }
        }
    }
}
