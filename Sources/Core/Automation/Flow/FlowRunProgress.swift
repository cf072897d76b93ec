/// Where one run of a flow stands, step by step: what a run's events fold into, and what decides whether a
/// step's report is in turn. A report out of turn is refused and changes nothing.
public struct FlowRunProgress: Sendable, Hashable {
    public enum StepState: String, Sendable, Hashable {
        case waiting, running, succeeded, failed
        /// A step something it depends on failed (or did not run) before it: it never will.
        case notRun = "not_run"
    }

    public enum Outcome: String, Sendable, Hashable { case succeeded, failed }

    public let graph: StepGraph
    public private(set) var states: [String: StepState]

    public init(_ graph: StepGraph) {
        self.graph = graph
        self.states = Dictionary(uniqueKeysWithValues: graph.order.map { ($0, StepState.waiting) })
    }

    /// Steps free to start: waiting, with every dependency succeeded; in the graph's order.
    public var ready: [String] {
        graph.order.filter { states[$0] == .waiting && graph.dependencies(of: $0).allSatisfy { states[$0] == .succeeded } }
    }

    public mutating func start(_ step: String) throws(AutomationError) {
        guard ready.contains(step) else { throw outOfTurn(step, "start") }
        states[step] = .running
    }

    public mutating func succeed(_ step: String) throws(AutomationError) {
        guard states[step] == .running else { throw outOfTurn(step, "succeed") }
        states[step] = .succeeded
    }

    /// The step failed: every step downstream of it will not run. Steps on other branches go on.
    public mutating func fail(_ step: String) throws(AutomationError) {
        guard states[step] == .running else { throw outOfTurn(step, "fail") }
        states[step] = .failed
        var downstream = graph.dependents[step] ?? []
        while let next = downstream.popLast() {
            guard states[next] == .waiting else { continue }
            states[next] = .notRun
            downstream += graph.dependents[next] ?? []
        }
    }

    /// No step waits or runs.
    public var isFinished: Bool { !states.values.contains { $0 == .waiting || $0 == .running } }

    /// Once finished: succeeded if every step did.
    public var outcome: Outcome? {
        guard isFinished else { return nil }
        return states.values.allSatisfy { $0 == .succeeded } ? .succeeded : .failed
    }

    /// Steps that ended (succeeded, failed or will not run), of all the flow's steps: a run's progress.
    public var ended: Int { states.values.filter { $0 != .waiting && $0 != .running }.count }

    private func outOfTurn(_ step: String, _ report: String) -> AutomationError {
        guard let state = states[step] else { return AutomationError(.stepOutOfTurn, "\(step) is no step of this flow", at: step) }
        let why = switch state {
        case .waiting: "it waits for \(graph.dependencies(of: step).filter { states[$0] != .succeeded }.sorted().joined(separator: ", "))"
        case .running: "it is running"
        case .succeeded, .failed, .notRun: "it has ended (\(state.rawValue))"
        }
        return AutomationError(.stepOutOfTurn, "\(step) cannot \(report): \(why)", at: step)
    }
}
