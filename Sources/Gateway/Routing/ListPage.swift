import Foundation
public import Hummingbird

/// `limit=N&cursor=C`: one page of a listing, in the listing's own order (each listing sorts by a key no two
/// of its items share: an id, an email, a domain). `cursor` is the `next_cursor` of the page before; the
/// answer carries `next_cursor` only when another page follows. Keyset, not offset: an item added or
/// removed meanwhile shifts no other item into or out of the next page.
public struct ListPage: Sendable, Hashable {
    public static let defaultLimit = 100
    public static let maximumLimit = 500

    public var limit: Int
    /// The key of the previous page's last item: this page holds what sorts after it.
    public var after: String?

    public init(limit: Int = defaultLimit, after: String? = nil) {
        self.limit = limit
        self.after = after
    }

    /// The page a request asks for; a typed 400 naming the parameter when it asks badly.
    public init(_ request: Request) throws(APIError) {
        let query = request.uri.queryParameters
        var limit = Self.defaultLimit
        if let text = query.get("limit") {
            guard let value = Int(text), (1...Self.maximumLimit).contains(value) else {
                throw APIError(.badRequest, code: "request.invalid_parameter", message: "limit is 1 to \(Self.maximumLimit)",
                               fields: ["limit": "not an integer from 1 to \(Self.maximumLimit)"])
            }
            limit = value
        }
        var after: String?
        if let text = query.get("cursor") {
            guard let key = Self.key(fromCursor: text) else {
                throw APIError(.badRequest, code: "request.invalid_parameter", message: "cursor is a next_cursor this listing gave",
                               fields: ["cursor": "not a cursor"])
            }
            after = key
        }
        self.init(limit: limit, after: after)
    }

    /// This page of `items`, which must be sorted by `key`, ascending, and the cursor of the page after it.
    public func slice<Item>(_ items: [Item], key: (Item) -> String) -> (items: ArraySlice<Item>, nextCursor: String?) {
        let start = after.map { after in Self.firstIndex(in: items, after: after, key: key) } ?? 0
        let end = start + max(0, min(limit, items.count - start))
        let page = items[start..<end]
        let next = end < items.count ? page.last.map { Self.cursor(forKey: key($0)) } : nil
        return (page, next)
    }

    /// The listing as the answer: `{"<name>": [...], "next_cursor": "…"}`, in `key` order.
    func response<Item: Encodable>(_ name: String, _ items: [Item], sortedBy key: (Item) -> String) throws -> Response {
        // Each key made once, not twice a comparison.
        let keyed = items.map { (key: key($0), item: $0) }.sorted { $0.key < $1.key }
        let (page, next) = slice(keyed, key: \.key)
        return try JSONBody.response(Listing(name: name, items: page.map(\.item), nextCursor: next))
    }

    /// Binary search: the first item whose key sorts after `after`.
    private static func firstIndex<Item>(in items: [Item], after: String, key: (Item) -> String) -> Int {
        var low = 0, high = items.count
        while low < high {
            let middle = (low + high) / 2
            if key(items[middle]) <= after { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Opaque to clients (base64url of the key, unpadded): a cursor is handed back, never built.
    static func cursor(forKey key: String) -> String { Data(key.utf8).base64URLEncoded }

    static func key(fromCursor cursor: String) -> String? {
        // Only base64url's own alphabet: `Data(base64Encoded:)` would also take standard base64's + and /.
        guard !cursor.isEmpty, cursor.utf8.count <= 1_024,
              cursor.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
              let data = Data(base64URLEncoded: cursor) else { return nil }
        return String(validating: data, as: UTF8.self)
    }
}

/// A listing's body: its items under the listing's name, and the next page's cursor when there is one.
private struct Listing<Item: Encodable>: Encodable {
    var name: String
    var items: [Item]
    var nextCursor: String?

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(items, forKey: Key(name))
        try container.encodeIfPresent(nextCursor, forKey: Key("next_cursor"))
    }
}
