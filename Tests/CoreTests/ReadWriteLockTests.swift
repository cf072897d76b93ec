import Core
import Dispatch
import Foundation
import Synchronization
import Testing

@Suite struct ReadWriteLockTests {
    /// Runs `body` on a thread of its own (not the test's executor, where a blocked lock would stall
    /// other tests); returns what waits for it.
    private func onThread(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        Thread.detachNewThread {
            body()
            group.leave()
        }
    }

    @Test func readersHoldTheLockTogether() {
        let lock = ReadWriteLock(0)
        let firstIn = DispatchSemaphore(value: 0), secondIn = DispatchSemaphore(value: 0)
        let overlapped = Atomic(false)
        let group = DispatchGroup()
        onThread(group) {
            lock.read { _ in
                firstIn.signal()
                // Under an exclusive lock the second reader could not come in while this one waits.
                overlapped.store(secondIn.wait(timeout: .now() + 5) == .success, ordering: .relaxed)
            }
        }
        onThread(group) {
            firstIn.wait()
            lock.read { _ in _ = secondIn.signal() }
        }
        group.wait()
        let together = overlapped.load(ordering: .relaxed)
        #expect(together)
    }

    @Test func aReaderNeverSeesAWriteHalfDone() {
        struct Pair: Sendable { var a = 0, b = 0 }
        let lock = ReadWriteLock(Pair())
        let torn = Atomic(0), reads = Atomic(0)
        let group = DispatchGroup()
        for _ in 0..<3 {
            onThread(group) {
                for _ in 0..<2_000 {
                    lock.write { pair in
                        pair.a += 1
                        // Widens the window in which a reader without exclusion would see a != b.
                        for _ in 0..<50 { _ = pair.a.addingReportingOverflow(1) }
                        pair.b += 1
                    }
                }
            }
        }
        for _ in 0..<3 {
            onThread(group) {
                for _ in 0..<20_000 {
                    let pair = lock.read { $0 }
                    if pair.a != pair.b { torn.add(1, ordering: .relaxed) }
                    reads.add(1, ordering: .relaxed)
                }
            }
        }
        group.wait()
        let tornReads = torn.load(ordering: .relaxed), allReads = reads.load(ordering: .relaxed)
        let final = lock.read { $0 }
        #expect(tornReads == 0)
        #expect(allReads == 60_000)
        #expect(final.a == 6_000 && final.b == 6_000)
    }

    /// A writer waiting behind a reader goes before readers that come after it, so a steady stream of
    /// readers (every request reads the identity view) cannot keep a write out.
    @Test func aWaitingWriterGoesBeforeLaterReaders() {
        let lock = ReadWriteLock(0)
        let holding = DispatchSemaphore(value: 0), writerStarting = DispatchSemaphore(value: 0)
        let laterReaderStarting = DispatchSemaphore(value: 0)
        let seenByLaterReader = Atomic(-1)
        let group = DispatchGroup()
        onThread(group) {
            lock.read { _ in
                holding.signal()
                // Held until the writer and then the later reader are queued behind this reader.
                laterReaderStarting.wait()
                Thread.sleep(forTimeInterval: 0.3)
            }
        }
        onThread(group) {
            holding.wait()
            writerStarting.signal()
            lock.write { $0 = 1 }
        }
        onThread(group) {
            writerStarting.wait()
            Thread.sleep(forTimeInterval: 0.3)  // the writer is waiting on the lock by now
            laterReaderStarting.signal()
            seenByLaterReader.store(lock.read { $0 }, ordering: .relaxed)
        }
        group.wait()
        let seen = seenByLaterReader.load(ordering: .relaxed)
        #expect(seen == 1)
    }
}
