import Core
import Foundation

/// An automation's condition (JsonLogic) over attendance payloads, against the same decision written by
/// hand in Swift over the same decoded values: what interpreting a rule costs over compiling it in.
struct ConditionsBenchmark {
    let duration: Duration

    /// Attendances from a small team: minutes, origin and plan vary so that about a third pass.
    static let condition: JSONValue = ["and": [
        [">=": [["var": "attendance.minutes"], 30]],
        ["in": [["var": "origin"], ["whatsapp", "sms", "instagram_ads"]]],
        ["==": [["var": "account.plan"], "pro"]],
        ["<": [0, ["var": "attendance.quality_score"], 101]],
    ]]

    static func payloads(_ count: Int) -> [JSONValue] {
        let origins: [JSONValue] = ["whatsapp", "sms", "instagram_ads", "email", "phone"]
        return (0..<count).map { index in
            ["agent_id": .string(UUID.v7().lowercasedString), "origin": origins[index % origins.count],
             "attendance": ["minutes": .number(Double(index * 7 % 60)), "quality_score": .number(Double(index % 100 + 1)),
                            "summary": "Customer asked about the premium plan, pricing sent, follow-up scheduled."],
             "account": ["plan": index % 4 == 0 ? "basic" : "pro", "id": .string(UUID.v7().lowercasedString)]]
        }
    }

    /// The condition, by hand.
    static func handWritten(_ data: JSONValue) -> Bool {
        guard case .object(let fields) = data,
              case .object(let attendance)? = fields["attendance"], case .number(let minutes)? = attendance["minutes"], minutes >= 30,
              case .string(let origin)? = fields["origin"], ["whatsapp", "sms", "instagram_ads"].contains(origin),
              case .object(let account)? = fields["account"], account["plan"] == "pro",
              case .number(let score)? = attendance["quality_score"], 0 < score, score < 101
        else { return false }
        return true
    }

    struct Result {
        var canopy: Double, handWritten: Double, satisfied: Int, evaluated: Int
    }

    func run() throws -> Result {
        let rule = try JSONLogicRule(Self.condition)
        let payloads = Self.payloads(10_000)
        var satisfiedByRule = 0, satisfiedByHand = 0
        let canopy = try Bench.rate(for: duration, payloads.count) {
            for payload in payloads where try rule.isSatisfied(by: payload) { satisfiedByRule += 1 }
        }
        let reference = try Bench.rate(for: duration, payloads.count) {
            for payload in payloads where Self.handWritten(payload) { satisfiedByHand += 1 }
        }
        // Both sides must have decided the same: compare over one pass each.
        let ruleOnce = try payloads.filter { try rule.isSatisfied(by: $0) }.count, handOnce = payloads.filter(Self.handWritten).count
        // The counts of the timed passes are used, so that neither side's work can be optimized away.
        guard ruleOnce == handOnce, ruleOnce > 0, satisfiedByRule % ruleOnce == 0, satisfiedByHand % handOnce == 0 else {
            throw BenchmarkFailure(description: "the rule passed \(ruleOnce) payloads, the hand-written check \(handOnce)")
        }
        return Result(canopy: canopy, handWritten: reference, satisfied: ruleOnce, evaluated: payloads.count)
    }
}
