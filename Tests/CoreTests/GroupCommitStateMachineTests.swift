@testable import Core
import Testing

@Suite struct GroupCommitStateMachineTests {
    typealias Machine = GroupCommitStateMachine<Int>

    func pending(_ id: Int, events: Int = 1, scope: String? = nil, alone: Bool = false) -> Machine.Pending {
        .init(id: id, eventCount: events, idempotencyScope: scope, leavesAlone: alone)
    }

    @Test func aLoneAppendLeavesAtOnce() {
        var machine = Machine(maxInFlight: 2, maxBatchEvents: 100)
        #expect(machine.enqueue(pending(1)) == .flush([1]))
        #expect(machine.inFlightCount == 1)
    }

    @Test func appendsQueueWhileAllSlotsAreBusyAndLeaveTogether() {
        var machine = Machine(maxInFlight: 1, maxBatchEvents: 100)
        #expect(machine.enqueue(pending(1)) == .flush([1]))
        #expect(machine.enqueue(pending(2)) == Machine.Action.none)
        #expect(machine.enqueue(pending(3)) == Machine.Action.none)
        #expect(machine.batchFinished() == .flush([2, 3]))
        #expect(machine.batchFinished() == Machine.Action.none)
        #expect(machine.inFlightCount == 0)
    }

    @Test func aBatchStopsAtTheEventLimitButNeverLeavesAnOversizedAppendBehind() {
        var machine = Machine(maxInFlight: 1, maxBatchEvents: 10)
        _ = machine.enqueue(pending(1))
        _ = machine.enqueue(pending(2, events: 6))
        _ = machine.enqueue(pending(3, events: 6))
        _ = machine.enqueue(pending(4, events: 25))
        #expect(machine.batchFinished() == .flush([2]))
        #expect(machine.batchFinished() == .flush([3]))
        #expect(machine.batchFinished() == .flush([4]))
    }

    @Test func twoAppendsWithOneIdempotencyKeyNeverShareABatch() {
        var machine = Machine(maxInFlight: 1, maxBatchEvents: 100)
        _ = machine.enqueue(pending(1))
        _ = machine.enqueue(pending(2, scope: "a/k"))
        _ = machine.enqueue(pending(3, scope: "a/k"))
        _ = machine.enqueue(pending(4, scope: "b/k"))
        #expect(machine.batchFinished() == .flush([2, 4]))
        #expect(machine.batchFinished() == .flush([3]))
    }

    @Test func anAppendThatLeavesAloneNeverSharesABatchAndHoldsUpNobodyBehindIt() {
        var machine = Machine(maxInFlight: 1, maxBatchEvents: 100)
        _ = machine.enqueue(pending(1))
        _ = machine.enqueue(pending(2))
        _ = machine.enqueue(pending(3, events: 3, alone: true))
        _ = machine.enqueue(pending(4))
        _ = machine.enqueue(pending(5, events: 2, alone: true))
        #expect(machine.batchFinished() == .flush([2, 4]))
        #expect(machine.batchFinished() == .flush([3]))
        #expect(machine.batchFinished() == .flush([5]))
        #expect(machine.batchFinished() == Machine.Action.none)
        // First in line with nobody ahead, it leaves at once, alone.
        #expect(machine.enqueue(pending(6, alone: true)) == .flush([6]))
        _ = machine.enqueue(pending(7))
        #expect(machine.batchFinished() == .flush([7]))
    }

    @Test func onlyAppendsThatHaveNotLeftCanBeCancelled() {
        var machine = Machine(maxInFlight: 1, maxBatchEvents: 100)
        _ = machine.enqueue(pending(1))
        _ = machine.enqueue(pending(2))
        #expect(machine.cancel(1) == false)
        #expect(machine.cancel(2) == true)
        #expect(machine.batchFinished() == Machine.Action.none)
    }

    @Test func shutdownRefusesNewAppendsAndCompletesOnceQueuedOnesAreWritten() {
        var machine = Machine(maxInFlight: 1, maxBatchEvents: 100)
        _ = machine.enqueue(pending(1))
        _ = machine.enqueue(pending(2))
        #expect(machine.shutdown() == Machine.Action.none)
        #expect(machine.enqueue(pending(3)) == .reject)
        #expect(machine.batchFinished() == .flush([2]))
        #expect(machine.batchFinished() == .shutdownComplete)
    }

    @Test func shutdownWhenIdleCompletesAtOnce() {
        var machine = Machine(maxInFlight: 3, maxBatchEvents: 100)
        #expect(machine.shutdown() == .shutdownComplete)
    }

    @Test func slotsRunInParallelUpToTheLimit() {
        var machine = Machine(maxInFlight: 2, maxBatchEvents: 100)
        #expect(machine.enqueue(pending(1)) == .flush([1]))
        #expect(machine.enqueue(pending(2)) == .flush([2]))
        #expect(machine.enqueue(pending(3)) == Machine.Action.none)
        #expect(machine.inFlightCount == 2)
        #expect(machine.pendingCount == 1)
    }
}
