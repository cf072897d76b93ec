public import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

extension UUID {
    /// A time-ordered UUID (RFC 9562, version 7), so that new ids land at the right edge of B-tree indexes.
    public static func v7(at date: Date = Date()) -> UUID {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { out in
            for i in 0..<6 { out[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(i)))) }
            IDRandomness.fill(UnsafeMutableRawBufferPointer(rebasing: out[6...]))
            out[6] = 0x70 | (out[6] & 0x0F)
            out[8] = 0x80 | (out[8] & 0x3F)
        }
        return UUID(uuid: bytes)
    }
}

/// The random part of ids, read from the kernel's CSPRNG a page at a time: a command makes several ids,
/// and a system call for each (two per id, through `SystemRandomNumberGenerator`) was a visible share of
/// a command's cost. Ids are not secrets (tokens and keys draw their own bytes); the bytes are the same
/// kernel randomness, only fetched in bulk. Each thread has a page of its own: every request makes an id,
/// and one page behind a lock had the event loops queueing on it.
enum IDRandomness {
    /// One thread's page; only that thread ever touches it.
    private final class Pool: @unchecked Sendable {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var used = 4096

        func refill() {
            let filled = IDRandomness.urandom >= 0 ? bytes.withUnsafeMutableBytes { read(IDRandomness.urandom, $0.baseAddress!, $0.count) } : -1
            if filled != bytes.count {
                // No /dev/urandom (or a short read): the standard library's generator, 8 bytes a call.
                var generator = SystemRandomNumberGenerator()
                for i in bytes.indices { bytes[i] = UInt8.random(in: .min ... .max, using: &generator) }
            }
            used = 0
        }
    }

    private static let urandom: Int32 = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
    private static let pools = ThreadSpecificVariable<Pool>()

    static func fill(_ out: UnsafeMutableRawBufferPointer) {
        let pool = pools.currentValue ?? {
            let pool = Pool()
            pools.currentValue = pool
            return pool
        }()
        if pool.bytes.count - pool.used < out.count { pool.refill() }
        for i in 0..<out.count { out[i] = pool.bytes[pool.used + i] }
        pool.used += out.count
    }
}
