import Core
import Foundation
import Logging
import Synchronization

/// Log lines on a file descriptor (standard error in the process): `<time> <level> <label>: [key=value …] message`, metadata sorted by key.
///
/// swift-log's `StreamLogHandler` renders its metadata again each time a key is set, and every request
/// sets a few (request id, account) whether or not anything is logged: that was a twentieth of an
/// authorized read. This one renders only the lines it writes.
struct LineLogHandler: LogHandler {
    let label: String
    let fileDescriptor: Int32
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    private static let output = Mutex(())

    init(label: String, level: Logger.Level, fileDescriptor: Int32 = STDERR_FILENO, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.fileDescriptor = fileDescriptor
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(RFC3339.string(from: Date())) \(event.level) \(label):\(fields.isEmpty ? "" : " [\(fields)]") \(event.message)\n"
        // One write per line, so lines of concurrent tasks never interleave.
        Self.output.withLock { _ in
            var line = line
            line.withUTF8 { bytes in _ = write(fileDescriptor, bytes.baseAddress, bytes.count) }
        }
    }
}
