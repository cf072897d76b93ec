import Core
import Foundation
import Testing

/// Every case of JsonLogic's own shared test suite, against Canopy's evaluator.
@Suite struct JSONLogicConformanceTests {
    static let suite = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Conformance/jsonlogic/tests.json")

    @Test func everySharedCaseGivesTheExpectedAnswer() throws {
        let entries = try JSONDecoder().decode([JSONValue].self, from: Data(contentsOf: Self.suite))
        var heading = "", cases = 0, failures: [String] = []
        for entry in entries {
            switch entry {
            case .string(let title):
                heading = title
            case .array(let parts) where parts.count == 3:
                cases += 1
                do {
                    let answer = try JSONLogicRule(parts[0]).evaluate(parts[1])
                    if answer != parts[2] { failures.append("\(heading): \(parts[0]) over \(parts[1]) gave \(answer), not \(parts[2])") }
                } catch {
                    failures.append("\(heading): \(parts[0]) over \(parts[1]) threw \(error)")
                }
            default:
                Issue.record("not a case or a heading: \(entry)")
            }
        }
        #expect(cases == 277)
        #expect(failures.isEmpty, "\(failures.count) of \(cases) cases failed:\n\(failures.joined(separator: "\n"))")
    }
}
