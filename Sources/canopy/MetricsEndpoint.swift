import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// The process's metrics, kept in a Prometheus registry and served in Prometheus's text format at
/// `/metrics` on a listener of their own (`metrics.port`): operators scrape it from inside, and it stays off
/// the public API's port, where every route is a tenant's.
enum MetricsEndpoint {
    /// Once per process, before any component makes its metrics (they bind to the factory when made).
    static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["canopy_append_batch_duration_seconds"] =
            [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000].map { Duration.milliseconds($0) }
        factory.valueHistogramBuckets["canopy_append_batch_appends"] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
        MetricsSystem.bootstrap(factory)
        return registry
    }

    /// `GET /metrics` on `host:port`, a service of the process's group.
    static func server(_ registry: PrometheusCollectorRegistry, host: String, port: Int, logger: Logger) -> some Service {
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "canopy-metrics"), logger: logger)
    }
}
