import CRabbitMQ
import Foundation

/// C memory for one rabbitmq-c call: strings, header tables. rabbitmq-c copies what it sends before it
/// returns, so everything here lives exactly as long as the `with` closure (`amqp_cstring_bytes` on a Swift
/// string would dangle).
struct AMQPCArena: ~Copyable {
    private var allocations: [UnsafeMutableRawPointer] = []

    static func with<T, E: Error>(_ body: (inout AMQPCArena) throws(E) -> T) throws(E) -> T {
        var arena = AMQPCArena()
        defer { arena.free() }
        return try body(&arena)
    }

    mutating func bytes(_ text: String) -> amqp_bytes_t {
        var utf8 = Array(text.utf8)
        if utf8.isEmpty { return amqp_bytes_t(len: 0, bytes: nil) }
        let memory = UnsafeMutableRawPointer.allocate(byteCount: utf8.count, alignment: 1)
        utf8.withUnsafeMutableBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        allocations.append(memory)
        return amqp_bytes_t(len: utf8.count, bytes: memory)
    }

    mutating func table(_ entries: [(name: String, value: AMQPHeaderValue)]) -> amqp_table_t {
        if entries.isEmpty { return amqp_table_t(num_entries: 0, entries: nil) }
        let memory = UnsafeMutablePointer<amqp_table_entry_t>.allocate(capacity: entries.count)
        allocations.append(UnsafeMutableRawPointer(memory))
        for (index, entry) in entries.enumerated() {
            var value = amqp_field_value_t()
            switch entry.value {
            case .string(let text):
                value.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
                value.value.bytes = bytes(text)
            case .int(let number):
                value.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
                value.value.i64 = number
            }
            (memory + index).initialize(to: amqp_table_entry_t(key: bytes(entry.name), value: value))
        }
        return amqp_table_t(num_entries: Int32(entries.count), entries: memory)
    }

    private mutating func free() {
        for memory in allocations { memory.deallocate() }
        allocations.removeAll()
    }
}

extension amqp_bytes_t {
    /// A Swift copy: the frame's memory goes at the next `amqp_maybe_release_buffers`.
    var string: String {
        guard len > 0, let bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }

    var array: [UInt8] {
        guard len > 0, let bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: len))
    }
}

extension amqp_table_t {
    /// The string and integer entries; others (which Canopy never writes) are left out.
    var headers: [(name: String, value: AMQPHeaderValue)] {
        guard num_entries > 0, let entries else { return [] }
        var result: [(name: String, value: AMQPHeaderValue)] = []
        result.reserveCapacity(Int(num_entries))
        for index in 0..<Int(num_entries) {
            let entry = entries[index]
            let value: AMQPHeaderValue?
            switch UInt32(entry.value.kind) {
            case AMQP_FIELD_KIND_UTF8.rawValue, AMQP_FIELD_KIND_BYTES.rawValue: value = .string(entry.value.value.bytes.string)
            case AMQP_FIELD_KIND_I64.rawValue: value = .int(entry.value.value.i64)
            case AMQP_FIELD_KIND_I32.rawValue: value = .int(Int64(entry.value.value.i32))
            case AMQP_FIELD_KIND_I16.rawValue: value = .int(Int64(entry.value.value.i16))
            case AMQP_FIELD_KIND_I8.rawValue: value = .int(Int64(entry.value.value.i8))
            case AMQP_FIELD_KIND_U32.rawValue: value = .int(Int64(entry.value.value.u32))
            case AMQP_FIELD_KIND_U16.rawValue: value = .int(Int64(entry.value.value.u16))
            case AMQP_FIELD_KIND_U8.rawValue: value = .int(Int64(entry.value.value.u8))
            default: value = nil
            }
            if let value { result.append((entry.key.string, value)) }
        }
        return result
    }
}
