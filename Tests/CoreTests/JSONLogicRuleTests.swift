import CanopyTesting
import Core
import Foundation
import Testing

/// What JsonLogic's shared suite does not cover: rules refused when written, evaluation bounded, and
/// JavaScript's conversions at their edges.
@Suite struct JSONLogicRuleTests {
    func rule(_ text: String) throws -> JSONLogicRule {
        try JSONDecoder().decode(JSONLogicRule.self, from: Data(text.utf8))
    }

    func answer(_ text: String, _ data: JSONValue = .null) throws -> JSONValue {
        try rule(text).evaluate(data)
    }

    func refusal(_ json: JSONValue, limits: JSONLogicRule.Limits = .init()) -> AutomationError? {
        caught { () throws(AutomationError) in _ = try JSONLogicRule(json, limits: limits) }
    }

    @Test func anUnknownOperatorIsRefusedWhereItIs() throws {
        let error = refusal(["and": [["var": "a"], ["!": [["bogus": [1]]]]]])
        #expect(error?.code == .unknownOperator)
        #expect(error?.location == "/and/1/!/0/bogus")
        #expect(refusal(["method": ["abc", "toUpperCase"]])?.code == .unknownOperator, "JavaScript's method calls are not JsonLogic's to run here")
        // Objects of any other number of keys are data, and are not looked into.
        #expect(refusal(["a": 1, "bogus": ["b": 2]]) == nil)
        #expect(try JSONLogicRule(["a": 1, "bogus": 2]).evaluate(.null) == ["a": 1, "bogus": 2])
    }

    @Test func anOperatorGivenTheWrongNumberOfArgumentsIsRefused() {
        let division = refusal(["/": [4]])
        #expect(division?.code == .wrongArgumentCount)
        #expect(division?.location == "/~1", "a / in an operator's name is escaped as JSON Pointer says")
        #expect(division?.message == "/ takes 2 arguments, not 1")
        #expect(refusal(["*": []])?.code == .wrongArgumentCount)
        #expect(refusal(["map": [["var": "xs"]]])?.code == .wrongArgumentCount)
        #expect(refusal(["substr": ["abc", 1, 2, 3]])?.message == "substr takes 2 to 3 arguments, not 4")
        #expect(refusal(["!": false]) == nil, "a single argument needs no array")
    }

    @Test func depthAndSizeAreBounded() {
        func nested(_ depth: Int) -> JSONValue { depth == 0 ? true : ["!": nested(depth - 1)] }
        let limits = JSONLogicRule.Limits(depth: 8, operations: 20)
        #expect(refusal(nested(8), limits: limits) == nil)
        #expect(refusal(nested(9), limits: limits)?.code == .tooDeep)
        #expect(refusal(.array([.array([.array([1])])]), limits: .init(depth: 2)) != nil, "arrays count as nesting too")
        #expect(refusal(["and": .array(Array(repeating: ["!": false], count: 19))], limits: limits) == nil)
        #expect(refusal(["and": .array(Array(repeating: ["!": false], count: 20))], limits: limits)?.code == .tooLarge)
        // The default limits take a deep rule without exhausting the stack, and refuse a deeper one.
        #expect(refusal(nested(31)) == nil)
        #expect(refusal(nested(10_000))?.code == .tooDeep)
    }

    @Test func evaluationStopsWhenItsBudgetIsSpent() throws {
        let rows: JSONValue = .array((0..<200).map { row in .array((0..<200).map { .number(Double($0 + row)) }) })
        let nestedMap = try rule(#"{"map": [{"var": "rows"}, {"map": [{"var": ""}, {"*": [{"var": ""}, 2]}]}]}"#)
        #expect(throws: AutomationError.self) { try nestedMap.evaluate(["rows": rows]) }
        let small = try nestedMap.evaluate(["rows": [[1, 2], [3]]])
        #expect(small == [[2, 4], [6]])

        // An accumulator that doubles at every item would hold 2^60 items: it is stopped, quickly.
        let doubling = try rule(#"{"reduce": [{"var": "xs"}, {"merge": [{"var": "accumulator"}, {"var": "accumulator"}]}, [1]]}"#)
        do {
            _ = try doubling.evaluate(["xs": .array(Array(repeating: 0, count: 60))])
            Issue.record("a doubling accumulator ran to the end")
        } catch {
            #expect(error.code == .budgetExhausted)
        }
        #expect(try doubling.evaluate(["xs": [0, 0, 0]]) == .array(Array(repeating: 1, count: 8)))
    }

    @Test func numbersAreWrittenAsJavaScriptWritesThem() throws {
        let written: [(Double, String)] = [
            (1, "1"), (-0.0, "0"), (123.456, "123.456"), (0.1 + 0.2, "0.30000000000000004"), (1e20, "100000000000000000000"),
            (1e21, "1e+21"), (1.5e300, "1.5e+300"), (0.000001, "0.000001"), (1e-7, "1e-7"), (-2.5e-8, "-2.5e-8"), (123e-20, "1.23e-18"),
        ]
        for (number, text) in written {
            #expect(try JSONLogicRule(["cat": ["", .number(number)]]).evaluate(.null) == .string(text), "\(number)")
        }
        #expect(try answer(#"{"cat": [[1, null, [2, 3]], true, null, {"a": 1, "b": 2}]}"#) == "1,,2,3true[object Object]")
    }

    @Test func textBecomesANumberAsJavaScriptReadsIt() throws {
        let equal: [String] = [#"[" 12 ", 12]"#, #"["0x1A", 26]"#, #"["1e3", 1000]"#, #"[".5", 0.5]"#, #"["5.", 5]"#, #"["", 0]"#,
                               #"[[1], 1]"#, #"[[], false]"#, #"["-Infinity", {"-": [{"/": [1, 0]}]}]"#]
        for pair in equal { #expect(try answer(#"{"==": \#(pair)}"#) == true, "\(pair)") }
        let unequal: [String] = [#"["inf", {"/": [1, 0]}]"#, #"["0x", 0]"#, #"["1e", 1]"#, #"[null, 0]"#, #"["nan", {"/": [0, 0]}]"#,
                                 #"["12abc", 12]"#]
        for pair in unequal { #expect(try answer(#"{"==": \#(pair)}"#) == false, "\(pair)") }
        // Arrays read from a document compare by content here (JavaScript would compare their identity).
        #expect(try answer(#"{"===": [{"var": "a"}, [1, 2]]}"#, ["a": [1, 2]]) == true)
        // parseFloat reads the number a text starts with; Number() takes the whole text or nothing.
        #expect(try answer(#"{"+": ["3.5kg", "1e2x", " 2"]}"#) == 105.5)
        #expect(try answer(#"{"-": ["3.5kg", 1]}"#).isNaN)
        #expect(try answer(#"{"<": ["nan", 1]}"#) == false)
        #expect(try answer(#"{">=": ["nan", 1]}"#) == false, "NaN is neither above nor below anything")
        #expect(try answer(#"{"<": ["10", "9"]}"#) == true, "two texts compare as text")
        #expect(try answer(#"{"<": ["10", 9]}"#) == false)
    }

    @Test func textIsCutByCharacter() throws {
        #expect(try answer(#"{"substr": ["héllo👍🏽x", -2, 1]}"#) == "👍🏽")
        #expect(try answer(#"{"in": ["", "abc"]}"#) == true)
        #expect(try answer(#"{"in": ["b", 12]}"#) == false)
    }

    @Test func aRuleIsReadCheckedAndWrittenAsItCame() throws {
        #expect(throws: DecodingError.self) { try rule(#"{"and": [true, {"nope": 1}]}"#) }
        let condition = try rule(#"{"and": [{">=": [{"var": "attendance.minutes"}, 30]}, {"in": [{"var": "origin"}, ["whatsapp", "sms"]]}]}"#)
        #expect(try condition.isSatisfied(by: ["attendance": ["minutes": 42], "origin": "sms"]))
        #expect(try !condition.isSatisfied(by: ["attendance": ["minutes": 42], "origin": "email"]))
        #expect(try !condition.isSatisfied(by: [:]))
        let written = try JSONDecoder().decode(JSONLogicRule.self, from: JSONEncoder().encode(condition))
        #expect(written == condition)
        // What JSON cannot hold is written as null, as JSON.stringify writes it.
        let nan = try answer(#"{"/": [0, 0]}"#)
        #expect(String(decoding: try JSONEncoder().encode(["x": nan]), as: UTF8.self) == #"{"x":null}"#)
    }
}

extension JSONValue {
    var isNaN: Bool { if case .number(let number) = self { number.isNaN } else { false } }
}

/// Random rules of every operator, with arguments of every kind (including ones no author would write):
/// each is refused with a typed error or runs to an answer; none traps or runs away.
@Suite struct JSONLogicFuzzTests {
    static let operators = ["var", "missing", "missing_some", "if", "?:", "and", "or", "!", "!!", "==", "===", "!=", "!==", ">", ">=", "<", "<=",
                            "min", "max", "+", "-", "*", "/", "%", "map", "filter", "reduce", "all", "none", "some", "merge", "in", "cat",
                            "substr", "log", "nope"]
    static let literals: [JSONValue] = [.null, true, false, 0, -0.0, 1, -1, 2.5, 1e300, -1e300, .number(Double(Int.max)), .number(-Double(Int.max)),
                                        "", "a", "a.b", "0", "-5", "1e3", "x.0.y", "👍🏽", [], [1, 2], ["a", ["b"]], ["k": 1, "l": 2]]

    static func rule(_ generator: inout SeededGenerator, depth: Int) -> JSONValue {
        if depth > 4 || generator.next(3) == 0 { return literals[generator.next(literals.count)] }
        if generator.next(6) == 0 { return .array((0..<generator.next(3)).map { _ in rule(&generator, depth: depth + 1) }) }
        let arguments = (0..<generator.next(5)).map { _ in rule(&generator, depth: depth + 1) }
        return [operators[generator.next(operators.count)]: generator.next(4) == 0 && arguments.count == 1 ? arguments[0] : .array(arguments)]
    }

    @Test func randomRulesAreRefusedOrAnswered() async {
        var generator = SeededGenerator(seed: 20_261_125)
        let data: JSONValue = ["a": ["b": [1, 2, 3]], "x": [["y": 1], ["y": "2"]], "s": "text", "n": 7, "": "empty key"]
        var (refused, answered) = (0, 0)
        for index in 0..<20_000 {
            if index % 500 == 0 { await Task.yield() }
            let json = Self.rule(&generator, depth: 0)
            do {
                let rule = try JSONLogicRule(json)
                _ = try rule.evaluate(data)
                answered += 1
            } catch {
                #expect(!error.message.isEmpty, "\(json)")
                refused += 1
            }
        }
        #expect(refused > 1_000 && answered > 1_000, "refused \(refused), answered \(answered)")
    }
}
