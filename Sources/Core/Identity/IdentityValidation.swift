internal import Foundation

/// The shapes identity input must have, checked before anything is decided (invariant 9). Each failure
/// names the wire field.
public enum IdentityValidation {
    /// A display name: 1-120 characters, no control characters, no surrounding spaces.
    public static func name(_ value: String, field: String = "name") throws(IdentityError) {
        // Asking the two ends directly spares trimming a copy of every name (a fifth of deciding a rename).
        guard let first = value.unicodeScalars.first, let last = value.unicodeScalars.last,
              !isSurroundingSpace(first), !isSurroundingSpace(last), value.count <= 120,
              !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid(field, "1-120 characters, no control characters, no surrounding spaces")
        }
    }

    /// Foundation's whitespacesAndNewlines: Unicode's White_Space and the zero-width space.
    private static func isSurroundingSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar == "\u{200B}"
    }

    /// A practical address check (one `@`, a dotted domain, no spaces), normalized to lower case.
    public static func email(_ value: String, field: String = "email") throws(IdentityError) -> String {
        let normalized = value.lowercased()
        let parts = normalized.split(separator: "@", omittingEmptySubsequences: false)
        guard normalized.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64,
              !normalized.contains(where: { $0.isWhitespace || $0.isNewline }),
              (try? domain(String(parts[1]), field: field)) != nil else {
            throw .invalid(field, "an email address such as name@example.com")
        }
        return normalized
    }

    /// E.164: `+`, a country code not starting with 0, 8 to 15 digits in all.
    public static func phone(_ value: String, field: String = "phone") throws(IdentityError) -> String {
        let digits = value.utf8.dropFirst()
        guard value.hasPrefix("+"), (8...15).contains(digits.count), digits.first != UInt8(ascii: "0"),
              digits.allSatisfy({ (48...57).contains($0) }) else {
            throw .invalid(field, "a phone number in E.164 form, such as +5511987654321")
        }
        return value
    }

    /// A DNS host name with at least two labels (RFC 1123 letters, digits, hyphens) and a non-numeric top
    /// label, normalized to lower case without a trailing dot.
    public static func domain(_ value: String, field: String = "primary_domain") throws(IdentityError) -> String {
        let normalized = try host(value, field: field)
        let labels = normalized.split(separator: ".")
        guard labels.count >= 2, !labels.last!.allSatisfy(\.isNumber) else { throw .invalid(field, "a host name such as app.example.com") }
        return normalized
    }

    /// Any host the platform may be served on, `localhost` and IPv4 literals included: the master tenant's
    /// domain comes from configuration, where a developer's `127.0.0.1` is legitimate.
    public static func host(_ value: String, field: String) throws(IdentityError) -> String {
        var normalized = value.lowercased()
        if normalized.hasSuffix(".") { normalized.removeLast() }
        let labels = normalized.split(separator: ".", omittingEmptySubsequences: false)
        let valid = normalized.utf8.count <= 253 && labels.allSatisfy { label in
            let bytes = Array(label.utf8)
            return (1...63).contains(bytes.count) && bytes.first != UInt8(ascii: "-") && bytes.last != UInt8(ascii: "-")
                && bytes.allSatisfy { ASCII.isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
        guard valid else { throw .invalid(field, "a host name such as app.example.com") }
        return normalized
    }

    /// `#rrggbb`.
    public static func color(_ value: String?, field: String) throws(IdentityError) {
        guard let value else { return }
        let bytes = Array(value.utf8)
        guard bytes.count == 7, bytes[0] == UInt8(ascii: "#"), bytes.dropFirst().allSatisfy(ASCII.isHexDigit) else {
            throw .invalid(field, "a color as #rrggbb")
        }
    }

    public static func branding(_ branding: TenantBranding) throws(IdentityError) {
        try name(branding.displayName, field: "display_name")
        if let description = branding.description, description.count > 2_000 {
            throw .invalid("description", "at most 2000 characters")
        }
        try color(branding.primaryColor, field: "primary_color")
        try color(branding.secondaryColor, field: "secondary_color")
    }

    /// At least 10 characters, at most 72 bytes (bcrypt reads no further).
    public static func password(_ value: String, field: String = "password") throws(IdentityError) {
        guard value.count >= 10, value.utf8.count <= 72 else { throw .invalid(field, "10 characters to 72 bytes") }
    }
}
