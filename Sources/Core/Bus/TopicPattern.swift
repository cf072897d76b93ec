/// AMQP topic matching, for filtering in-process by the same patterns queues are bound with: words are
/// separated by dots, `*` stands for exactly one word, `#` for zero or more.
public enum TopicPattern {
    public static func matches(_ pattern: String, _ key: String) -> Bool {
        matches(pattern.split(separator: ".", omittingEmptySubsequences: false)[...],
                key.split(separator: ".", omittingEmptySubsequences: false)[...])
    }

    private static func matches(_ pattern: ArraySlice<Substring>, _ key: ArraySlice<Substring>) -> Bool {
        guard let head = pattern.first else { return key.isEmpty }
        if head == "#" {
            // Zero words, or one more word and try again.
            return matches(pattern.dropFirst(), key) || (!key.isEmpty && matches(pattern, key.dropFirst()))
        }
        guard let word = key.first, head == "*" || head == word else { return false }
        return matches(pattern.dropFirst(), key.dropFirst())
    }
}
