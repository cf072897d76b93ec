@testable import Core
import Foundation
import Testing

/// Logos: raster images recognised by their signatures, SVG rebuilt from what only draws.
@Suite struct LogoImageTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 1, count: 32)
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 2, count: 32)
    static let webp: [UInt8] = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8 ".utf8) + Array(repeating: 3, count: 16)

    func refusal(_ bytes: [UInt8], _ type: String) -> String? {
        do { _ = try LogoImage(bytes: bytes, declaredType: type); return nil } catch { return error.fields["logo"] }
    }

    @Test func rasterImagesAreRecognisedByTheirBytes() throws {
        #expect(try LogoImage(bytes: Self.png, declaredType: "image/png").contentType == "image/png")
        #expect(try LogoImage(bytes: Self.jpeg, declaredType: "image/jpeg; charset=binary").contentType == "image/jpeg")
        #expect(try LogoImage(bytes: Self.webp, declaredType: "image/webp").reference.size == Self.webp.count)
        #expect(refusal(Self.png, "image/jpeg") != nil)  // declared one thing, is another
        #expect(refusal(Array("GIF89a".utf8) + [0, 0, 0], "image/gif") != nil)
        #expect(refusal([], "image/png") != nil)
        #expect(refusal(Self.png + Array(repeating: 0, count: LogoImage.maximumBytes), "image/png") != nil)
    }

    @Test func svgKeepsTheDrawingAndLosesEverythingActive() throws {
        let hostile = """
            <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
              <script>alert(2)</script>
              <rect x="1" y="1" width="8" height="8" fill="#0a7d4f" onclick="steal()" style="background:url(javascript:x)"/>
              <a href="https://evil.example"><circle r="3"/></a>
              <foreignObject><iframe src="https://evil.example"/></foreignObject>
              <image href="https://evil.example/pixel.png"/>
              <use xlink:href="https://evil.example/x.svg#a"/>
              <use href="#local"/>
              <path d="M0 0L10 10" fill="url(#grad)" stroke="url(https://evil.example/x)"/>
              <text x="1" y="9">Acme &amp; Co</text>
            </svg>
            """
        let clean = String(decoding: try LogoImage(bytes: Array(hostile.utf8), declaredType: "image/svg+xml").bytes, as: UTF8.self)
        for gone in ["script", "alert", "onload", "onclick", "style", "evil.example", "foreignObject", "iframe", "<image", "<a"] {
            #expect(!clean.contains(gone), "\(gone) survived: \(clean)")
        }
        for kept in ["<rect", "fill=\"#0a7d4f\"", "viewBox=\"0 0 10 10\"", "href=\"#local\"", "fill=\"url(#grad)\"", "Acme &amp; Co", "<path d=\"M0 0L10 10\""] {
            #expect(clean.contains(kept), "\(kept) lost: \(clean)")
        }
    }

    @Test func svgWithADoctypeOrNotAnSvgIsRefused() {
        #expect(refusal(Array(#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>"#.utf8), "image/svg+xml") != nil)
        #expect(refusal(Array("<html><body/></html>".utf8), "image/svg+xml") != nil)
        #expect(refusal(Array("<svg><rect></svg>".utf8), "image/svg+xml") != nil)
    }
}
