/// The steps of a flow and what each waits for: a graph with no cycle, checked when the flow is written.
/// Steps with nothing between them may run at once; a chain (each step depending on the one before) runs
/// in sequence.
public struct StepGraph: Sendable, Hashable {
    public struct Step: Sendable, Hashable {
        public var id: String
        public var dependsOn: [String]

        public init(id: String, dependsOn: [String] = []) {
            self.id = id
            self.dependsOn = dependsOn
        }
    }

    public static let maximumSteps = 200

    /// As written.
    public let steps: [Step]
    /// Every step after all it depends on; among steps free at once, in the order written.
    public let order: [String]
    let dependencies: [String: Set<String>]
    let dependents: [String: [String]]

    public init(_ steps: [Step]) throws(AutomationError) {
        guard !steps.isEmpty else { throw AutomationError(.noSteps, "a flow has at least one step") }
        guard steps.count <= Self.maximumSteps else {
            throw AutomationError(.tooManySteps, "a flow has at most \(Self.maximumSteps) steps, not \(steps.count)")
        }
        var dependencies: [String: Set<String>] = [:]
        for step in steps {
            guard Self.isValidID(step.id) else {
                throw AutomationError(.invalidStepID, "a step id is 1 to 63 lowercase letters, digits and underscores, starting with a letter", at: step.id)
            }
            guard dependencies[step.id] == nil else { throw AutomationError(.duplicateStep, "two steps are called \(step.id)", at: step.id) }
            dependencies[step.id] = Set(step.dependsOn)
        }
        var dependents: [String: [String]] = [:]
        for step in steps {
            for dependency in step.dependsOn {
                guard dependencies[dependency] != nil else {
                    throw AutomationError(.unknownDependency, "\(step.id) depends on \(dependency), which is no step of this flow", at: step.id)
                }
                dependents[dependency, default: []].append(step.id)
            }
        }
        self.steps = steps
        self.dependencies = dependencies
        self.dependents = dependents
        self.order = try Self.order(steps, dependencies)
    }

    public func dependencies(of step: String) -> Set<String> { dependencies[step] ?? [] }

    /// Kahn's algorithm, taking free steps in the order written; what is left over lies on a cycle, which
    /// the error names.
    private static func order(_ steps: [Step], _ dependencies: [String: Set<String>]) throws(AutomationError) -> [String] {
        var waiting = dependencies
        var order: [String] = []
        while order.count < steps.count {
            guard let free = steps.first(where: { waiting[$0.id]?.isEmpty == true }) else {
                let circle = cycle(in: waiting)
                throw AutomationError(.cycle, "these steps wait for one another: \(circle.joined(separator: " → "))", at: circle.first)
            }
            order.append(free.id)
            waiting[free.id] = nil
            for id in waiting.keys { waiting[id]?.remove(free.id) }
        }
        return order
    }

    /// One cycle among steps that all still wait: follow any dependency until a step repeats.
    private static func cycle(in waiting: [String: Set<String>]) -> [String] {
        guard var current = waiting.keys.sorted().first else { return [] }
        var path: [String] = []
        while !path.contains(current), let next = waiting[current]?.sorted().first {
            path.append(current)
            current = next
        }
        guard let start = path.firstIndex(of: current) else { return path }
        return Array(path[start...]) + [current]
    }

    private static func isValidID(_ id: String) -> Bool {
        guard let first = id.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), id.utf8.count <= 63 else { return false }
        return id.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }
}
