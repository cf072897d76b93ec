public import Hummingbird

/// `GET /health`: every dependency answers (200) or not (503), each check bounded by a timeout.
/// `GET /ready`: this process has finished starting and is not shutting down.
public struct HealthRoutes: Sendable {
    public var checks: [HealthCheck]
    public var readiness: Readiness
    public var timeout: Duration

    public init(checks: [HealthCheck], readiness: Readiness, timeout: Duration = .seconds(2)) {
        self.checks = checks
        self.readiness = readiness
        self.timeout = timeout
    }

    struct Report: ResponseEncodable {
        var status: String
        var checks: [String: String]
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("health") { _, _ -> EditedResponse<Report> in
            let results = await runChecks()
            let healthy = results.values.allSatisfy { $0 == "ok" }
            return EditedResponse(status: healthy ? .ok : .serviceUnavailable,
                                  response: Report(status: healthy ? "ok" : "unavailable", checks: results))
        }
        router.get("ready") { _, _ -> EditedResponse<Report> in
            let ready = readiness.isReady
            return EditedResponse(status: ready ? .ok : .serviceUnavailable,
                                  response: Report(status: ready ? "ready" : "not_ready", checks: [:]))
        }
    }

    private func runChecks() async -> [String: String] {
        await withTaskGroup(of: (String, String).self) { group in
            for check in checks {
                group.addTask {
                    await withTaskGroup(of: String?.self) { race in
                        race.addTask {
                            do { try await check.probe(); return "ok" } catch { return "failed: \(error)" }
                        }
                        race.addTask {
                            try? await Task.sleep(for: timeout)
                            return Task.isCancelled ? nil : "failed: no answer within \(timeout)"
                        }
                        let first = await race.next() ?? nil
                        race.cancelAll()
                        return (check.name, first ?? "failed")
                    }
                }
            }
            var results: [String: String] = [:]
            for await (name, result) in group { results[name] = result }
            return results
        }
    }
}
