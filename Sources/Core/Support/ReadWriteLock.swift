#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value many threads read at once and few write: readers share the lock, a writer holds it alone.
///
/// For state every request reads (the identity view): under a `Mutex`, a reader preempted inside its
/// critical section stalls every other reader until it runs again, which on a busy machine with more
/// threads than cores is a scheduler slice, not microseconds. Here readers never wait for each other, only
/// for a writer. Writers are preferred (glibc's `PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP`), so a
/// steady stream of readers cannot starve them; in exchange a thread must not take the read lock again
/// while it holds it (a writer waiting between the two would deadlock it), as under a `Mutex`.
public final class ReadWriteLock<Value: Sendable>: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>
    // Behind a pointer, so that readers borrow the value in place instead of copying it (and retaining
    // everything it holds) on each read.
    private let value: UnsafeMutablePointer<Value>

    public init(_ initial: Value) {
        lock = .allocate(capacity: 1)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if canImport(Glibc)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        let status = pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
        precondition(status == 0, "pthread_rwlock_init failed: \(status)")
        value = .allocate(capacity: 1)
        value.initialize(to: initial)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    /// Runs `body` with the value, alongside other readers. Keep it short and free of I/O.
    public func read<T>(_ body: (borrowing Value) throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(value.pointee)
    }

    /// Runs `body` with the value to change, alone.
    public func write<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(&value.pointee)
    }
}
