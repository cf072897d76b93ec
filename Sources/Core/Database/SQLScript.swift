/// Splits a SQL file into statements at top-level semicolons, leaving alone those inside quotes
/// ('…', "…"), dollar quotes ($$…$$, $tag$…$tag$) and comments (-- … and /* … */, which nest).
/// Needed because the extended query protocol runs one statement per message.
package enum SQLScript {
    package static func statements(_ sql: String) -> [String] {
        let chars = Array(sql.unicodeScalars)
        var statements: [String] = []
        var start = 0
        var i = 0

        func flush(upTo end: Int) {
            let text = withoutLeadingComments(String(String.UnicodeScalarView(chars[start..<end]))).trimmingWhitespace()
            if !text.isEmpty { statements.append(text) }
        }

        while i < chars.count {
            let c = chars[i]
            let next: Unicode.Scalar? = i + 1 < chars.count ? chars[i + 1] : nil
            switch c {
            case "'", "\"":
                i += 1
                while i < chars.count {
                    if chars[i] == c {
                        if i + 1 < chars.count, chars[i + 1] == c { i += 2; continue }  // doubled quote
                        break
                    }
                    i += 1
                }
                i += 1
            case "-" where next == "-":
                while i < chars.count, chars[i] != "\n" { i += 1 }
            case "/" where next == "*":
                var depth = 1
                i += 2
                while i < chars.count, depth > 0 {
                    if chars[i] == "/", i + 1 < chars.count, chars[i + 1] == "*" { depth += 1; i += 2 }
                    else if chars[i] == "*", i + 1 < chars.count, chars[i + 1] == "/" { depth -= 1; i += 2 }
                    else { i += 1 }
                }
            case "$":
                if let tagEnd = dollarTagEnd(chars, from: i) {
                    let tag = Array(chars[i...tagEnd])
                    i = tagEnd + 1
                    while i < chars.count, !(chars[i] == "$" && chars[i..<min(chars.count, i + tag.count)].elementsEqual(tag)) { i += 1 }
                    i = min(chars.count, i + tag.count)
                } else {
                    i += 1
                }
            case ";":
                flush(upTo: i)
                i += 1
                start = i
            default:
                i += 1
            }
        }
        if start < chars.count { flush(upTo: chars.count) }
        return statements
    }

    /// `$` then an optional identifier then `$`: the index of the closing `$`.
    private static func dollarTagEnd(_ chars: [Unicode.Scalar], from index: Int) -> Int? {
        if index > 0, chars[index - 1].properties.isAlphabetic || chars[index - 1] == "_" || ("0"..."9").contains(chars[index - 1]) {
            return nil  // part of an identifier such as a$b, or a positional parameter's digits
        }
        var j = index + 1
        while j < chars.count, chars[j] != "$" {
            let s = chars[j]
            guard s.properties.isAlphabetic || s == "_" || (j > index + 1 && ("0"..."9").contains(s)) else { return nil }
            j += 1
        }
        return j < chars.count ? j : nil
    }

    /// The statement without the comments and blank lines before it (they read badly in errors and logs).
    private static func withoutLeadingComments(_ text: String) -> String {
        var rest = Substring(text)
        while true {
            rest = rest.drop(while: { $0.isWhitespace })
            if rest.hasPrefix("--") {
                rest = rest.drop(while: { $0 != "\n" })
            } else if rest.hasPrefix("/*"), let end = rest.range(of: "*/") {
                rest = rest[end.upperBound...]
            } else {
                return String(rest)
            }
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(self.drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
