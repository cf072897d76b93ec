import Foundation
import Crypto
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A tenant's logo as uploaded: PNG, JPEG or WEBP recognised by their signatures, or SVG rebuilt from an
/// allow-list of drawing elements and attributes (no scripts, event handlers, external references, styles,
/// embedded documents or DTDs survive). At most `maximumBytes`.
public struct LogoImage: Sendable, Hashable {
    public static let maximumBytes = 512 * 1024

    public let contentType: String
    public let bytes: [UInt8]
    /// How brandings name it (hashed once: an image is up to 512 KiB).
    public let reference: LogoReference

    /// The image to store, or a 400-style refusal naming `logo`.
    public init(bytes: [UInt8], declaredType: String) throws(IdentityError) {
        guard !bytes.isEmpty, bytes.count <= Self.maximumBytes else { throw .invalid("logo", "1 byte to 512 KiB") }
        let declared = declaredType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let detected: String
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            detected = "image/png"
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            detected = "image/jpeg"
        } else if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            detected = "image/webp"
        } else if declared == "image/svg+xml" {
            self.init(contentType: "image/svg+xml", checked: try SVGSanitizer.sanitize(bytes))
            return
        } else {
            throw .invalid("logo", "a PNG, JPEG, WEBP or SVG image")
        }
        guard declared == detected else { throw .invalid("logo", "the content is \(detected), not \(declared)") }
        self.init(contentType: detected, checked: bytes)
    }

    private init(contentType: String, checked bytes: [UInt8]) {
        self.contentType = contentType
        self.bytes = bytes
        self.reference = LogoReference(sha256: SHA256.hash(data: bytes).hexString, contentType: contentType, size: bytes.count)
    }
}

/// What a branding holds of its logo: the stored image's content hash, type and size.
public struct LogoReference: Codable, Sendable, Hashable {
    public var sha256: String
    public var contentType: String
    public var size: Int
}

/// SVG rebuilt from what is known to only draw.
enum SVGSanitizer {
    static let elements: Set<String> = [
        "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "defs", "title", "desc",
        "lineargradient", "radialgradient", "stop", "clippath", "mask", "symbol", "use",
    ]
    static let attributes: Set<String> = [
        "id", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width", "height", "viewbox", "points", "transform",
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin",
        "stroke-dasharray", "opacity", "offset", "stop-color", "stop-opacity", "gradientunits", "gradienttransform", "font-family",
        "font-size", "font-weight", "text-anchor", "clip-rule", "clip-path", "mask", "xmlns", "xmlns:xlink", "version",
        "preserveaspectratio", "href", "xlink:href", "fx", "fy", "spreadmethod", "dx", "dy",
    ]

    static func sanitize(_ bytes: [UInt8]) throws(IdentityError) -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        // No document type, so no entities (billion laughs) and nothing external.
        guard !text.localizedCaseInsensitiveContains("<!DOCTYPE"), !text.localizedCaseInsensitiveContains("<!ENTITY") else {
            throw .invalid("logo", "an SVG without a DOCTYPE")
        }
        let builder = Builder()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse(), parser.parserError == nil, builder.sawRoot, builder.open.isEmpty else {
            throw .invalid("logo", "a well-formed SVG document")
        }
        return Array(builder.output.utf8)
    }

    /// Keeps allowed elements and attributes, drops anything inside a dropped element.
    final class Builder: NSObject, XMLParserDelegate {
        var output = ""
        var sawRoot = false
        /// Open elements, to refuse what a lenient parser lets through unbalanced.
        var open: [String] = []
        private var depth = 0
        private var droppedDepth: Int?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            depth += 1
            open.append(name)
            guard droppedDepth == nil else { return }
            let element = name.lowercased()
            if depth == 1 {
                guard element == "svg" else { parser.abortParsing(); return }
                sawRoot = true
            }
            guard SVGSanitizer.elements.contains(element) else { droppedDepth = depth; return }
            output += "<" + name
            for (key, value) in attributes.sorted(by: { $0.key < $1.key }) where SVGSanitizer.allowed(key, value) {
                output += " \(key)=\"\(SVGSanitizer.escaped(value))\""
            }
            output += ">"
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            defer { depth -= 1 }
            guard open.popLast() == name else { parser.abortParsing(); return }
            if let dropped = droppedDepth {
                if dropped == depth { droppedDepth = nil }
                return
            }
            output += "</\(name)>"
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if droppedDepth == nil, depth > 0 { output += SVGSanitizer.escaped(string) }
        }
    }

    static func allowed(_ key: String, _ value: String) -> Bool {
        let key = key.lowercased(), lowered = value.lowercased()
        guard attributes.contains(key), !key.hasPrefix("on") else { return false }
        if key == "href" || key == "xlink:href" { return value.hasPrefix("#") }  // only references inside the document
        if lowered.contains("url(") { return lowered.replacingOccurrences(of: " ", with: "").hasPrefix("url(#") }
        return !lowered.contains("javascript:") && !lowered.contains("data:")
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
