import Core
import Foundation

/// Concurrent writers appending one event at a time until stopped. Each append is retried with its
/// idempotency key until the log answers, so the count of appends is exact even across database restarts.
public final class Writers: Sendable {
    private let stopping = Flag()
    private let task: Task<Int, Never>

    public init(_ pipeline: Pipeline, count: Int = 4, types: [String] = ["account.renamed", "user.granted", "run.started"]) {
        let stopping = self.stopping
        task = Task {
            await withTaskGroup(of: Int.self) { group in
                for writer in 0..<count {
                    group.addTask {
                        let account = UUID.v7()
                        let prefix = UUID.v7().lowercasedString
                        var appended = 0
                        while !stopping.isRaised {
                            let request = AppendRequest(
                                stream: newStream(), accountID: account, idempotencyKey: "\(prefix)-\(appended)",
                                events: [event(types[appended % types.count], #"{"writer":\#(writer),"n":\#(appended)}"#)]
                            )
                            while (try? await pipeline.store.append(request)) == nil {
                                try? await Task.sleep(for: .milliseconds(50))
                            }
                            appended += 1
                            try? await Task.sleep(for: .milliseconds(2))
                        }
                        return appended
                    }
                }
                return await group.reduce(0, +)
            }
        }
    }

    /// Stops after each writer's current append; how many appends were made in all.
    public func stop() async -> Int {
        stopping.raise()
        return await task.value
    }
}
