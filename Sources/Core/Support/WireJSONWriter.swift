import Foundation

/// Encodes a value as wire JSON (snake_case keys, RFC 3339 times), writing bytes as `encode(to:)` runs.
///
/// Foundation's `JSONEncoder` first builds a tree of boxed values, then serializes it, with a key strategy
/// closure per key: that was an eighth of the CPU of an authorized read. Members come out in the order a
/// type encodes them (declaration order for synthesized conformances), not sorted: nothing reads the order,
/// and the log stores event data as jsonb anyway. `UUID` is its canonical lowercase form (RFC 9562), as in
/// tokens, event metadata, stream names and request ids (Foundation's `uuidString` is uppercase; the
/// decoder takes either case), `Date` an RFC 3339 string, `Data` base64, `URL` its absolute string, as
/// `WireJSON.decoder()` expects.
public enum WireJSONWriter {
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let writer = StreamingWriter()
        try writer.encodeValue(value)
        writer.close(downTo: 0)
        return writer.bytes
    }

    public static func encodeToString(_ value: some Encodable) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}

/// The writer behind the containers. A container is an index into `open`; writing into container `d`
/// first closes everything opened deeper (a nested container's life ends when its parent writes again),
/// and a value's containers are closed when its `encode(to:)` returns.
private final class StreamingWriter: Encoder {
    struct Frame {
        var isObject: Bool
        var hasMember = false
    }

    var bytes: [UInt8] = []
    var open: [Frame] = []
    /// Where the containers of the value being encoded start.
    var valueDepth = 0

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init() { bytes.reserveCapacity(512) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedWriter<Key>(writer: self, depth: openValueContainer(isObject: true)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedWriter(writer: self, depth: openValueContainer(isObject: false))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueWriter(writer: self)
    }

    /// The value's own container: a value may ask again for the one it already has (as a class and its
    /// superclass do); it gets that one back.
    private func openValueContainer(isObject: Bool) -> Int {
        if open.count > valueDepth {
            close(downTo: valueDepth + 1)
            return valueDepth
        }
        return push(isObject: isObject)
    }

    func push(isObject: Bool) -> Int {
        open.append(Frame(isObject: isObject))
        bytes.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
        return open.count - 1
    }

    func close(downTo depth: Int) {
        while open.count > depth {
            bytes.append(open.removeLast().isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    /// Readies container `depth` for its next member: closes deeper containers, writes the separator and,
    /// in an object, the key.
    func beginMember(in depth: Int, key: (any CodingKey)?) {
        close(downTo: depth + 1)
        if open[depth].hasMember { bytes.append(UInt8(ascii: ",")) }
        open[depth].hasMember = true
        if let key {
            writeString(SnakeCaseKey.snakeCased(key.stringValue))
            bytes.append(UInt8(ascii: ":"))
        }
    }

    func encodeValue<T: Encodable>(_ value: T) throws {
        if T.self == UUID.self {
            bytes.append(UInt8(ascii: "\""))
            (value as! UUID).appendLowercased(to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        } else if T.self == Date.self {
            writeString(RFC3339.string(from: value as! Date))
        } else if T.self == Data.self {
            writeString((value as! Data).base64EncodedString())
        } else if T.self == URL.self {
            writeString((value as! URL).absoluteString)
        } else if T.self == Decimal.self {
            bytes.append(contentsOf: (value as! Decimal).description.utf8)
        } else {
            let outer = valueDepth
            valueDepth = open.count
            defer { valueDepth = outer }
            let start = bytes.count
            try value.encode(to: self)
            close(downTo: valueDepth)
            // A value that wrote nothing is an empty object, as with JSONEncoder.
            if bytes.count == start { bytes.append(contentsOf: "{}".utf8) }
        }
    }

    func writeNull() { bytes.append(contentsOf: "null".utf8) }
    func writeBool(_ value: Bool) { bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    func writeInteger(_ value: some BinaryInteger) { bytes.append(contentsOf: String(value).utf8) }

    func writeFloatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "JSON has no \(value)"))
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): bytes.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): bytes.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): bytes.append(contentsOf: #"\t"#.utf8)
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: #"\u00"#.utf8)
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0xF)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

private struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: StreamingWriter
    let depth: Int
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws { writer.beginMember(in: depth, key: key); writer.writeNull() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { writer.beginMember(in: depth, key: key); writer.writeBool(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { writer.beginMember(in: depth, key: key); writer.writeString(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { writer.beginMember(in: depth, key: key); try writer.writeFloatingPoint(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { writer.beginMember(in: depth, key: key); try writer.writeFloatingPoint(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { writer.beginMember(in: depth, key: key); writer.writeInteger(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { writer.beginMember(in: depth, key: key); writer.writeInteger(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { writer.beginMember(in: depth, key: key); writer.writeInteger(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { writer.beginMember(in: depth, key: key); writer.writeInteger(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { writer.beginMember(in: depth, key: key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { writer.beginMember(in: depth, key: key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { writer.beginMember(in: depth, key: key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { writer.beginMember(in: depth, key: key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { writer.beginMember(in: depth, key: key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { writer.beginMember(in: depth, key: key); writer.writeInteger(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { writer.beginMember(in: depth, key: key); try writer.encodeValue(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        writer.beginMember(in: depth, key: key)
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(writer: writer, depth: writer.push(isObject: true)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        writer.beginMember(in: depth, key: key)
        return UnkeyedWriter(writer: writer, depth: writer.push(isObject: false))
    }

    mutating func superEncoder() -> any Encoder {
        preconditionFailure("WireJSONWriter does not support superEncoder(); wire types are structs")
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        preconditionFailure("WireJSONWriter does not support superEncoder(forKey:); wire types are structs")
    }
}

private struct UnkeyedWriter: UnkeyedEncodingContainer {
    let writer: StreamingWriter
    let depth: Int
    private(set) var count = 0
    var codingPath: [any CodingKey] { [] }

    init(writer: StreamingWriter, depth: Int) {
        self.writer = writer
        self.depth = depth
    }

    private mutating func begin() {
        writer.beginMember(in: depth, key: nil)
        count += 1
    }

    mutating func encodeNil() throws { begin(); writer.writeNull() }
    mutating func encode(_ value: Bool) throws { begin(); writer.writeBool(value) }
    mutating func encode(_ value: String) throws { begin(); writer.writeString(value) }
    mutating func encode(_ value: Double) throws { begin(); try writer.writeFloatingPoint(value) }
    mutating func encode(_ value: Float) throws { begin(); try writer.writeFloatingPoint(value) }
    mutating func encode(_ value: Int) throws { begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { begin(); writer.writeInteger(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { begin(); try writer.encodeValue(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        begin()
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(writer: writer, depth: writer.push(isObject: true)))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        begin()
        return UnkeyedWriter(writer: writer, depth: writer.push(isObject: false))
    }

    mutating func superEncoder() -> any Encoder {
        preconditionFailure("WireJSONWriter does not support superEncoder(); wire types are structs")
    }
}

private struct SingleValueWriter: SingleValueEncodingContainer {
    let writer: StreamingWriter
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { writer.writeNull() }
    mutating func encode(_ value: Bool) throws { writer.writeBool(value) }
    mutating func encode(_ value: String) throws { writer.writeString(value) }
    mutating func encode(_ value: Double) throws { try writer.writeFloatingPoint(value) }
    mutating func encode(_ value: Float) throws { try writer.writeFloatingPoint(value) }
    mutating func encode(_ value: Int) throws { writer.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { writer.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { writer.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { writer.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { writer.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { writer.writeInteger(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try writer.encodeValue(value) }
}
