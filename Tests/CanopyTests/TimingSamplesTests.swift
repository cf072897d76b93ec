@testable import canopy
import Dispatch
import Testing

@Suite struct TimingSamplesTests {
    @Test func everySampleRecordedAtOnceIsKept() {
        let samples = TimingSamples(capacity: 40_000)
        // Eight threads record at once; each sample says which thread and which turn made it.
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for turn in 0..<4_000 { samples.record(.nanoseconds(thread * 10_000 + turn)) }
        }
        let kept = samples.samples.map { $0.components.attoseconds / 1_000_000_000 }
        let recorded = Set((0..<8).flatMap { thread in (0..<4_000).map { Int64(thread * 10_000 + $0) } })
        let lost = recorded.subtracting(kept).count
        #expect(kept.count == 32_000)
        #expect(lost == 0)
    }

    @Test func samplesPastTheCapacityAreDroppedAndResetForgets() {
        let samples = TimingSamples(capacity: 3)
        for value in 1...5 { samples.record(.milliseconds(value)) }
        #expect(samples.samples == [.milliseconds(1), .milliseconds(2), .milliseconds(3)])
        samples.reset()
        #expect(samples.samples.isEmpty)
        samples.record(.milliseconds(9))
        #expect(samples.samples == [.milliseconds(9)])
    }
}
