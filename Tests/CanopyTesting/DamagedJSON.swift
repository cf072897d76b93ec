/// Randomly damaged JSON documents, for differential tests of `JSONSyntax` (in CoreTests against
/// Foundation, in IntegrationTests against PostgreSQL's jsonb).
public enum DamagedJSON {
    static let seeds = [
        #"{"agent_id":"0190f0c2","score":87,"tags":["a","b"],"nested":{"ok":true,"n":null,"x":-1.5e3}}"#,
        #"{"summary":"Customer asked about the \"premium\" plan\n","items":[{"q":1},{"q":2}],"e":"","u":"\u00e9"}"#,
    ]
    static let alphabet = Array(#"{}[]":,.-+eE0123456789 \tabntrufl"#.utf8)

    public static func samples(count: Int) -> [String] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { index in
            var bytes = Array(seeds[index % seeds.count].utf8)
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(alphabet.randomElement(using: &generator)!, at: at)
                default: bytes[at] = alphabet.randomElement(using: &generator)!
                }
                if bytes.isEmpty { bytes = [UInt8(ascii: "{")] }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Drops every comma that (after whitespace) closes an array or object, strings included: what
    /// Foundation's lenient parser effectively ignores.
    public static func removingTrailingCommas(_ text: String) -> String {
        var bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: ","),
               let next = bytes[(i + 1)...].first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }),
               next == UInt8(ascii: "]") || next == UInt8(ascii: "}") {
                bytes.remove(at: i)
            } else {
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
