@testable import canopy
import Core
import Foundation
import Testing

@Suite struct CPUUsageTests {
    @Test func perOperationSplitsTheMachinesCPUAndIdleShare() {
        let usage = CPUUsage(process: .milliseconds(2_290), children: .milliseconds(360),
                             machineBusy: .milliseconds(3_480), machineIdle: .milliseconds(820))
        #expect(usage.perOperation(10_000, "a command", process: "canopy", client: "wrk")
            == "canopy 229 µs, wrk 36 µs, the rest 83 µs a command; machine 19 % idle")
        #expect(usage.perOperation(10_000, "a transaction", process: nil, client: "pgbench")
            == "pgbench 36 µs, the rest 83 µs a transaction; machine 19 % idle")
    }

    @Test func theRestIsNeverNegative() {
        // Counters sampled at different instants can make this process look busier than the machine.
        let usage = CPUUsage(process: .milliseconds(500), children: .zero, machineBusy: .milliseconds(400), machineIdle: .zero)
        #expect(usage.perOperation(1_000, "an op", process: "canopy", client: "wrk").contains("the rest 0 µs"))
    }

    @Test func countsThisProcessAndTheChildrenItReaped() async throws {
        let before = try #require(CPUUsage.now())
        let spinUntil = ContinuousClock.now + .milliseconds(80)
        while ContinuousClock.now < spinUntil {}  // reading the clock keeps the loop from being optimized away
        let child = try await ChildProcess.run("/bin/sh", ["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"],
                                               environment: [:], timeout: .seconds(60))
        #expect(child.exitCode == 0)
        let spent = try #require(CPUUsage.now()) - before
        #expect(spent.process >= .milliseconds(50))
        #expect(spent.children >= .milliseconds(20))
        #expect(spent.machineBusy >= .milliseconds(50))
    }
}
