@testable import Core
import Foundation
import Testing

@Suite struct IdentityValidationTests {
    /// The rule as first written with Foundation, kept here as the reference the fast check must match.
    static func referenceName(_ value: String) -> Bool {
        !value.isEmpty && value.trimmingCharacters(in: .whitespacesAndNewlines) == value && value.count <= 120
            && !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    }

    @Test func nameAcceptsExactlyWhatTheFoundationRuleAccepts() {
        // Every scalar of the basic plane at either end and alone, beside a few whole names.
        let scalars = (0..<0x10000).compactMap(Unicode.Scalar.init).map(String.init)
        var samples = ["", "Admin", " Admin", "Admin ", "A\u{00A0}", "\u{3000}A", "A\u{2028}", "A\u{0085}", "A\tB", "Ann Lee", "e\u{301}",
                       String(repeating: "x", count: 120), String(repeating: "x", count: 121), String(repeating: "e\u{301}", count: 120)]
        for scalar in scalars { samples += [scalar, scalar + "a", "a" + scalar, "a" + scalar + "b"] }
        var disagreements: [String] = []
        for sample in samples {
            let accepted = (try? IdentityValidation.name(sample)) != nil
            if accepted != Self.referenceName(sample) { disagreements.append(sample.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ")) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
        #expect(samples.contains { (try? IdentityValidation.name($0)) == nil } && samples.contains { (try? IdentityValidation.name($0)) != nil })
    }
}
