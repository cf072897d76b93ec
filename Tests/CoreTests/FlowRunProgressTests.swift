import CanopyTesting
import Core
import Testing

/// A flow's steps, checked when written, and a run's progress through them: given these reports, when this
/// one, then this state or this error (and no change).
@Suite struct FlowRunProgressTests {
    typealias Step = StepGraph.Step

    /// fetch → (transform, enrich) → save, and notify on its own.
    static func diamond() throws -> StepGraph {
        try StepGraph([
            Step(id: "fetch"), Step(id: "transform", dependsOn: ["fetch"]), Step(id: "enrich", dependsOn: ["fetch"]),
            Step(id: "save", dependsOn: ["transform", "enrich"]), Step(id: "notify"),
        ])
    }

    func refusal(_ steps: [Step]) -> AutomationError? {
        caught { () throws(AutomationError) in _ = try StepGraph(steps) }
    }

    @Test func stepsRunAfterWhatTheyDependOnInTheOrderWritten() throws {
        let graph = try Self.diamond()
        #expect(graph.order == ["fetch", "transform", "enrich", "save", "notify"])
        let chain = try StepGraph([Step(id: "c", dependsOn: ["b"]), Step(id: "b", dependsOn: ["a"]), Step(id: "a")])
        #expect(chain.order == ["a", "b", "c"])
    }

    @Test func aFlowThatCouldNotRunIsRefused() {
        #expect(refusal([])?.code == .noSteps)
        #expect(refusal((0...StepGraph.maximumSteps).map { Step(id: "s\($0)") })?.code == .tooManySteps)
        for id in ["", "Fetch", "1st", "with-dash", "é", String(repeating: "a", count: 64)] {
            #expect(refusal([Step(id: id)])?.code == .invalidStepID, "\(id)")
        }
        #expect(refusal([Step(id: String(repeating: "a", count: 63))]) == nil)
        #expect(refusal([Step(id: "a"), Step(id: "a")])?.code == .duplicateStep)
        let unknown = refusal([Step(id: "a", dependsOn: ["ghost"])])
        #expect(unknown?.code == .unknownDependency)
        #expect(unknown?.location == "a")
        #expect(refusal([Step(id: "a", dependsOn: ["a"])])?.code == .cycle)
        // b ↔ c is a cycle; a, downstream of it, is not part of it.
        let cycle = refusal([Step(id: "a", dependsOn: ["b"]), Step(id: "b", dependsOn: ["c"]), Step(id: "c", dependsOn: ["b"]), Step(id: "d")])
        #expect(cycle?.code == .cycle)
        #expect(cycle?.message == "these steps wait for one another: b → c → b")
    }

    @Test func aRunGoesStepByStep() throws {
        var run = FlowRunProgress(try Self.diamond())
        #expect(run.ready == ["fetch", "notify"])
        try run.start("fetch")
        try run.start("notify")
        #expect(run.ready.isEmpty)
        try run.succeed("fetch")
        #expect(run.ready == ["transform", "enrich"])
        try run.start("transform")
        try run.start("enrich")
        try run.succeed("transform")
        #expect(run.ready.isEmpty, "save waits for enrich too")
        try run.succeed("enrich")
        try run.start("save")
        try run.succeed("save")
        #expect(!run.isFinished && run.outcome == nil, "notify is still running")
        try run.succeed("notify")
        #expect(run.isFinished && run.outcome == .succeeded && run.ended == 5)
    }

    @Test func aFailureStopsWhatIsDownstreamOfItOnly() throws {
        var run = FlowRunProgress(try Self.diamond())
        try run.start("fetch")
        try run.succeed("fetch")
        try run.start("enrich")
        try run.fail("enrich")
        #expect(run.states["save"] == .notRun)
        #expect(run.ready == ["transform", "notify"], "other branches go on")
        #expect(run.ended == 3)
        for step in ["transform", "notify"] {
            try run.start(step)
            try run.succeed(step)
        }
        #expect(run.isFinished && run.outcome == .failed)
        #expect(run.states == ["fetch": .succeeded, "transform": .succeeded, "enrich": .failed, "save": .notRun, "notify": .succeeded])
    }

    @Test func aReportOutOfTurnIsRefusedAndChangesNothing() throws {
        var run = FlowRunProgress(try Self.diamond())
        try run.start("fetch")
        let before = run
        let attempts: [(String, (inout FlowRunProgress) throws -> Void, String)] = [
            ("start save", { try $0.start("save") }, "save cannot start: it waits for enrich, transform"),
            ("start fetch again", { try $0.start("fetch") }, "fetch cannot start: it is running"),
            ("succeed a waiting step", { try $0.succeed("transform") }, "transform cannot succeed: it waits for fetch"),
            ("fail a waiting step", { try $0.fail("save") }, "save cannot fail: it waits for enrich, transform"),
            ("a step the flow lacks", { try $0.succeed("ghost") }, "ghost is no step of this flow"),
        ]
        for (name, attempt, message) in attempts {
            do {
                try attempt(&run)
                Issue.record("\(name) was taken")
            } catch let error as AutomationError {
                #expect(error.code == .stepOutOfTurn, "\(name)")
                #expect(error.message == message, "\(name)")
            } catch {
                Issue.record("\(name): \(error)")
            }
            #expect(run == before, "\(name) changed the run")
        }
        try run.succeed("fetch")
        #expect(throws: AutomationError.self) { try run.succeed("fetch") }
        #expect(throws: AutomationError.self) { try run.fail("fetch") }
    }
}
