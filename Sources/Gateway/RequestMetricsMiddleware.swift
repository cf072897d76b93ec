import Core
import Metrics
public import Hummingbird

/// Requests by route pattern (`/api/v1/accounts/{account_id}`, never the path itself), method and status,
/// and how long each took to answer, for the process's metrics.
///
/// Hummingbird's `MetricsMiddleware` counts the same, but wraps every response body to time its writing,
/// and a wrapped body loses Hummingbird's fast path: the head and the body go out in two writes (two system
/// calls, two TCP segments) instead of one. Here a response's time ends when it is ready; every body the
/// API answers with is in memory by then.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let cache = RouteMetrics()

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            cache.record(route: context.endpointPath, method: request.method, status: response.status.code, took: .now - start)
            return response
        } catch {
            cache.record(route: context.endpointPath, method: request.method, status: (error as? any HTTPResponseError)?.status.code ?? 500, took: .now - start)
            throw error
        }
    }
}

/// One counter and one timer per (route, method, status), made once: the metrics factory's lookup is
/// slower than this dictionary's.
private final class RouteMetrics: Sendable {
    private struct Key: Hashable {
        var route: String
        var method: HTTPRequest.Method
        var status: Int
    }

    private struct Pair {
        var requests: Counter
        var duration: Timer
    }

    // Every request reads it, so readers share the lock; only a new (route, method, status) writes.
    private let pairs = ReadWriteLock<[Key: Pair]>([:])

    func record(route: String?, method: HTTPRequest.Method, status: Int, took duration: Duration) {
        let key = Key(route: route ?? "unmatched", method: method, status: status)
        let pair = pairs.read { $0[key] } ?? pairs.write { pairs in
            if let pair = pairs[key] { return pair }
            let dimensions = [("route", key.route), ("method", key.method.rawValue), ("status", String(key.status))]
            let pair = Pair(requests: Counter(label: "canopy_http_requests_total", dimensions: dimensions),
                            duration: Timer(label: "canopy_http_request_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds))
            pairs[key] = pair
            return pair
        }
        pair.requests.increment()
        pair.duration.recordNanoseconds(duration.nanoseconds)
    }
}
