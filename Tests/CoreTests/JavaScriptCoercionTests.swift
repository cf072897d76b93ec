import Core
import Foundation
import Testing

/// JsonLogic's operators mix types as JavaScript does; here against what JavaScript itself (node 20)
/// answered for 1,500 random pairs of values (`Tests/Conformance/javascript`): numeric text in every form
/// JavaScript reads or refuses, numbers it writes with exponents, arrays and objects turned into text.
@Suite struct JavaScriptCoercionTests {
    struct Case: Decodable {
        var a: JSONValue, b: JSONValue
        var eq: Bool, seq: Bool, lt: Bool, le: Bool, gt: Bool, ge: Bool, inn: Bool
        var plus: JSONValue, neg: JSONValue, div: JSONValue, mod: JSONValue  // "NaN" and "±Infinity" as text
        var cat: String
    }

    static let cases = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Conformance/javascript/coercions.json")

    @Test func everyOperatorAnswersAsJavaScriptDid() async throws {
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: Self.cases))
        #expect(cases.count == 1_500)
        var failures: [String] = []
        for (index, pair) in cases.enumerated() {
            if index % 100 == 0 { await Task.yield() }  // CPU-bound: let other suites' tasks have the threads in turn
            func check(_ operation: String, _ arguments: [JSONValue], _ expected: JSONValue) {
                do {
                    let answer = Self.comparable(try JSONLogicRule([operation: .array(arguments)]).evaluate(.null))
                    if answer != expected { failures.append("\(operation) \(arguments): \(answer), JavaScript \(expected)") }
                } catch {
                    failures.append("\(operation) \(arguments): threw \(error)")
                }
            }
            // Two arrays or objects: JavaScript compares identity, Canopy content (see JavaScriptValues).
            if !(Self.isComposite(pair.a) && Self.isComposite(pair.b)) {
                check("==", [pair.a, pair.b], .bool(pair.eq))
                check("===", [pair.a, pair.b], .bool(pair.seq))
            }
            if !Self.isComposite(pair.a) { check("in", [pair.a, pair.b], .bool(pair.inn)) }
            check("<", [pair.a, pair.b], .bool(pair.lt))
            check("<=", [pair.a, pair.b], .bool(pair.le))
            check(">", [pair.a, pair.b], .bool(pair.gt))
            check(">=", [pair.a, pair.b], .bool(pair.ge))
            check("+", [pair.a], pair.plus)
            check("-", [pair.a], pair.neg)
            check("/", [pair.a, pair.b], pair.div)
            check("%", [pair.a, pair.b], pair.mod)
            check("cat", [pair.a, pair.b], .string(pair.cat))
        }
        #expect(failures.isEmpty, "\(failures.count) answers differ:\n\(failures.prefix(40).joined(separator: "\n"))")
    }

    static func isComposite(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: true
        default: false
        }
    }

    /// NaN and the infinities as the file writes them, and −0 as 0 (JSON cannot tell them apart).
    static func comparable(_ value: JSONValue) -> JSONValue {
        guard case .number(let number) = value else { return value }
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number > 0 ? "Infinity" : "-Infinity" }
        return .number(number == 0 ? 0 : number)
    }
}
